import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { BUNDLE_NAME, buildBrowserBundle } from '../../scripts/build-browser.mjs';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every non-test .ts file of a folder, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Where a CDN (unpkg, jsDelivr) serves a package's files: the browser bundle sits at this path below it. */
const CDN_PATH = '/npm/nest-duplex/dist/browser/';

/**
 * Serves the client to a browser exactly as it ships: lib/client and lib/envelope compiled to
 * plain ES modules (TypeScript's own transpiler, no bundler), the browser bundle (built as
 * `npm run build` builds it) at a CDN-style path with CORS, plus a page at `/`.
 */
export class BrowserBundle {
  private constructor(
    private readonly server: Server,
    /** The same files on another port: another origin, as a CDN is. */
    private readonly cdn: Server,
    private readonly dir: string,
  ) {}

  static async start(page: string): Promise<BrowserBundle> {
    const dir = mkdtempSync(join(tmpdir(), 'duplex-browser-'));
    for (const file of [...sources(join(ROOT, 'lib/client')), ...sources(join(ROOT, 'lib/envelope'))]) {
      const out = join(dir, relative(ROOT, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(out), { recursive: true });
      const js = ts.transpileModule(readFileSync(file, 'utf8'), {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, experimentalDecorators: true },
      }).outputText;
      writeFileSync(out, js);
    }
    writeFileSync(join(dir, 'index.html'), page);
    await buildBrowserBundle(join(dir, CDN_PATH));
    const serve = (request: IncomingMessage, response: ServerResponse): void => {
      const path = normalize(decodeURIComponent((request.url ?? '/').split('?')[0]));
      const file = join(dir, path === '/' ? 'index.html' : path);
      if (!file.startsWith(dir)) {
        response.writeHead(403).end();
        return;
      }
      try {
        const body = readFileSync(file);
        // As a CDN does: any page may import the modules.
        const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.map') ? 'application/json' : 'text/html';
        response.writeHead(200, { 'content-type': type, 'access-control-allow-origin': '*' }).end(body);
      } catch {
        response.writeHead(404).end();
      }
    };
    const [server, cdn] = [createServer(serve), createServer(serve)];
    await Promise.all([server, cdn].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
    return new BrowserBundle(server, cdn, dir);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** The bundle as from a CDN: another origin than `url`. */
  get cdnUrl(): string {
    return `http://127.0.0.1:${(this.cdn.address() as AddressInfo).port}${CDN_PATH}${BUNDLE_NAME}`;
  }

  /** The folder holding the bundle (the sample serves it at /browser/). */
  get bundleDir(): string {
    return join(this.dir, CDN_PATH);
  }

  async close(): Promise<void> {
    for (const server of [this.server, this.cdn]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
