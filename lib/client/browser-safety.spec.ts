/**
 * The client must load in a browser as plain ES modules with no bundler. Walks the runtime import
 * graph from index.ts and checks each module for what a browser cannot resolve or does not have.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');
}

/** Runtime imports and re-exports (type-only ones are erased by the compiler). */
function runtimeSpecifiers(source: string): string[] {
  const found: string[] = [];
  const pattern = /^\s*(?:import|export)\s+(?!type\s)([\s\S]*?)\s+from\s+'([^']+)'/gm;
  for (const match of source.matchAll(pattern)) {
    const clause = match[1]!;
    // `import { type A, type B } from` is erased too.
    const names = clause.replace(/[{}]/g, '').split(',').map((n) => n.trim()).filter(Boolean);
    if (clause.includes('{') && names.every((n) => n.startsWith('type '))) continue;
    found.push(match[2]!);
  }
  for (const match of source.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push(match[1]!);
  return found;
}

function graph(entry: string): Map<string, string> {
  const modules = new Map<string, string>();
  const visit = (file: string): void => {
    if (modules.has(file)) return;
    const source = stripComments(readFileSync(file, 'utf8'));
    modules.set(file, source);
    for (const specifier of runtimeSpecifiers(source)) {
      expect(specifier, `${relative(here, file)} imports "${specifier}"`).toMatch(/^\.\.?\/.*\.js$/);
      visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return modules;
}

describe('browser safety of nest-duplex/client', () => {
  const modules = graph(join(here, 'index.ts'));

  it('loads only relative .js modules, from lib/client and lib/envelope', () => {
    const files = [...modules.keys()].map((f) => relative(join(here, '..'), f));
    expect(files.every((f) => f.startsWith('client/') || f.startsWith('envelope/'))).toBe(true);
    expect(files).toContain('client/duplex-client.ts');
    expect(files).toContain('envelope/json-codec.ts');
  });

  it('uses no Node globals or built-ins', () => {
    const runtimeCheck = join(here, 'transports', 'node-runtime.ts');
    for (const [file, source] of modules) {
      // The runtime check reads `process` off globalThis, where a browser has none, and nothing else.
      const checked = file === runtimeCheck ? source.replace(/\(globalThis as \{ process\?: [^)]*\)\.process\?\.versions/, '') : source;
      expect(checked, relative(here, file)).not.toMatch(/\b(Buffer|process|require|__dirname|setImmediate)\b|node:|from 'events'/);
    }
  });

  it('reaches the ws package and the gRPC transport only through dynamic imports of variables', () => {
    const dynamic = [...modules.values()].flatMap((source) => [...source.matchAll(/\bimport\s*\(([^)]*)\)/g)].map((m) => m[1]!.trim()));
    expect(dynamic.sort()).toEqual(['GRPC_TRANSPORT_MODULE', 'WS_PACKAGE']);
    // Bundlers are told to leave them alone (the comments are stripped from `modules`).
    const wsLoader = readFileSync(join(here, 'transports', 'load-websocket.ts'), 'utf8');
    expect(wsLoader).toMatch(/import\(\/\* @vite-ignore \*\/ \/\* webpackIgnore: true \*\/ WS_PACKAGE\)/);
    const grpcLoader = readFileSync(join(here, 'transports', 'load-grpc.ts'), 'utf8');
    expect(grpcLoader).toMatch(/import\(\/\* @vite-ignore \*\/ \/\* webpackIgnore: true \*\/ GRPC_TRANSPORT_MODULE\)/);
    expect(grpcLoader).toMatch(/const GRPC_TRANSPORT_MODULE: string = '\.\/grpc\/grpc\.client-transport\.js';/);
  });

  it('leaves the gRPC transport (grpc-js, the file system) out of the static graph', () => {
    const files = [...modules.keys()].map((f) => relative(here, f));
    expect(files).toContain(join('transports', 'load-grpc.ts'));
    expect(files.filter((f) => f.startsWith(join('transports', 'grpc')))).toEqual([]);
  });
});
