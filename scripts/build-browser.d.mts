export declare const BUNDLE_NAME: string;
/** Builds the browser bundle into `outDir` (default dist/browser). */
export declare function buildBrowserBundle(outDir?: string): Promise<{ outfile: string; bytes: number; gzipBytes: number }>;
