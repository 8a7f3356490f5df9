import { execFile, fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REDIS_URL } from './redis.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where the library is compiled for child processes (inside the repo, so they resolve its node_modules). */
const OUT = resolve(ROOT, 'node_modules/.cache/duplex-node-process');
const LIB = resolve(OUT, 'lib/index.js');

/** Compiles the library with tsc (Nest needs its decorator metadata) for the node processes. */
export async function compileLibrary(): Promise<void> {
  await promisify(execFile)(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', OUT], { cwd: ROOT });
  if (!existsSync(LIB)) throw new Error(`tsc did not write ${LIB}`);
}

type Reply = { id: number; result?: unknown; error?: { message: string; code?: string } } | { ready: number };

/** A nest-duplex node in a child process (test/fixtures/redis-node.mjs) on Redis, driven over IPC. */
export class NodeProcess {
  private nextId = 1;
  private readonly calls = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (reply: Reply) => {
      if ('ready' in reply) return;
      const call = this.calls.get(reply.id);
      this.calls.delete(reply.id);
      if (reply.error !== undefined) call?.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      else call?.resolve(reply.result);
    });
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
    void this.exited.then(() => {
      for (const call of this.calls.values()) call.reject(new Error('The node process exited'));
      this.calls.clear();
    });
  }

  static async start(prefix: string, timeoutMs = 30_000): Promise<NodeProcess> {
    const child = fork(resolve(ROOT, 'test/fixtures/redis-node.mjs'), {
      env: { ...process.env, DUPLEX_LIB: LIB, DUPLEX_PREFIX: prefix, REDIS_URL },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`The node process did not start within ${timeoutMs} ms`)), timeoutMs);
      child.on('message', (reply: Reply) => {
        if (!('ready' in reply)) return;
        clearTimeout(timer);
        ready(reply.ready);
      });
      child.once('exit', (code) => fail(new Error(`The node process exited (${code}) before it was ready`)));
    });
    return new NodeProcess(child, port);
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/duplex`;
  }

  call<T = unknown>(op: 'send' | 'broadcast' | 'join' | 'sessions' | 'close', ...args: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, op, args });
    });
  }

  /** Shuts the node down cleanly (its links get a close they can resume from). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await this.call('close').catch(() => undefined);
    await this.exited;
  }

  /** SIGKILL: no shutdown, no detach, nothing flushed. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
