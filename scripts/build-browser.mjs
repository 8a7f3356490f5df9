#!/usr/bin/env node
/**
 * The browser build of the client: lib/client/index.ts bundled by esbuild into one minified ES
 * module, dist/browser/nest-duplex-client.js (+ .map), for a <script type="module"> or a CDN URL
 * (unpkg, jsDelivr). `npm run build` runs it and prints its size (the README quotes it).
 * It refuses a bundle that would need Node: a `node:` import fails to resolve for the browser
 * platform, and the output is checked for what only Node has.
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_NAME = 'nest-duplex-client.js';

/** What the bundle's code must never do: import Node built-ins or packages, or load CommonJS. */
const FORBIDDEN_CODE = [/\bfrom\s*["'](node:|@grpc\/)/, /\bimport\(["'](node:|@grpc\/)/, /\brequire\(/, /\bBuffer\.from\b/];
/** What must not be bundled: any package (the client has no dependencies), and the gRPC transport (Node only). */
const FORBIDDEN_INPUTS = [/node_modules\//, /lib\/client\/transports\/grpc\//];

/** Builds the bundle into `outDir`; resolves with its path and sizes. */
export async function buildBrowserBundle(outDir = join(root, 'dist', 'browser')) {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, BUNDLE_NAME);
  const { metafile } = await build({
    metafile: true,
    entryPoints: [join(root, 'lib', 'client', 'index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    // The `ws` package is loaded by a dynamic import of a variable (load-websocket.ts): never bundled.
  });
  const code = readFileSync(outfile, 'utf8');
  for (const pattern of FORBIDDEN_CODE) {
    if (pattern.test(code)) throw new Error(`${relative(root, outfile)} matches ${pattern}: the browser bundle must not need Node`);
  }
  for (const input of Object.keys(metafile.inputs)) {
    if (FORBIDDEN_INPUTS.some((pattern) => pattern.test(input))) throw new Error(`The browser bundle must not contain ${input}`);
  }
  return { outfile, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code).length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outfile, bytes, gzipBytes } = await buildBrowserBundle();
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`browser bundle ${relative(root, outfile)}: ${kib(bytes)} minified, ${kib(gzipBytes)} gzipped`);
}
