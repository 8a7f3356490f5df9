import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every non-test .ts file of a folder, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * Serves the client to a browser exactly as it ships: lib/client and lib/envelope compiled to
 * plain ES modules (TypeScript's own transpiler, no bundler), plus a page at `/`.
 */
export class BrowserBundle {
  private constructor(
    private readonly server: Server,
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
    const server = createServer((request, response) => {
      const path = normalize(decodeURIComponent((request.url ?? '/').split('?')[0]));
      const file = join(dir, path === '/' ? 'index.html' : path);
      if (!file.startsWith(dir)) {
        response.writeHead(403).end();
        return;
      }
      try {
        const body = readFileSync(file);
        response.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(body);
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new BrowserBundle(server, dir);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
