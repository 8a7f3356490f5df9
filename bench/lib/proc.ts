/**
 * The runner side of every child process: start it (pinned to a core when `taskset` allows),
 * talk to it over the IPC pipe, and stop it by its own pid. Every child ever started is in
 * `live` until it has exited, and the runner's exit and signal handlers kill what is left.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { ControlReply } from './control.js';
import { withTimeout } from './clock.js';

const live = new Set<ChildProcess>();

function killLeftovers(): void {
  for (const child of live) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}

let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killLeftovers);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping ${live.size} child process(es)\n`);
      killLeftovers();
      process.exit(130);
    });
  }
}

/** Whether `taskset -c <cpu>` works here (it is absent on some systems, refused in some containers). */
export function canPin(cpus: number[]): boolean {
  return cpus.every((cpu) => spawnSync('taskset', ['-c', String(cpu), 'true'], { stdio: 'ignore' }).status === 0);
}

export interface ChildOptions {
  /** Label used in messages. */
  name: string;
  script: string;
  args?: string[];
  nodeArgs?: string[];
  /** Core to pin the child to, or undefined for no pinning. */
  cpu?: number;
  env?: Record<string, string>;
  /** Raise the child's soft open-file limit to this (through `sh -c 'ulimit -n N; exec …'`). */
  openFiles?: number;
  /** Echo the child's stderr as it comes (otherwise only its tail is kept for error messages). */
  verbose?: boolean;
}

/** A child's `READY <port> [name=<port>…]` line. */
export interface ReadyLine {
  port: number;
  /** The named ports after the first (`grpc=50051` → `{ grpc: 50051 }`). */
  ports: Record<string, number>;
}

export class Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stderrTail = '';
  private readonly exited: Promise<void>;
  /** Resolves with the ports of the `READY <port> [name=<port>…]` line. */
  readonly ready: Promise<ReadyLine>;

  constructor(private readonly options: ChildOptions) {
    installExitHandlers();
    const nodeCommand = [process.execPath, ...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])];
    const pinned = options.cpu === undefined ? nodeCommand : ['taskset', '-c', String(options.cpu), ...nodeCommand];
    const [command, ...args] =
      options.openFiles === undefined
        ? pinned
        : ['/bin/sh', '-c', `ulimit -n ${Math.floor(options.openFiles)} && exec "$@"`, 'sh', ...pinned];
    // sh and taskset both exec in place, so the pid we hold is node's own.
    this.proc = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...options.env },
    });
    if (this.proc.pid === undefined) throw new Error(`${options.name}: could not start ${command}`);
    this.pid = this.proc.pid;
    live.add(this.proc);

    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        live.delete(this.proc);
        const why = new Error(`${options.name} exited (code ${code}, signal ${signal})${this.tail()}`);
        for (const w of this.waiting.values()) w.reject(why);
        this.waiting.clear();
        resolve();
      });
    });

    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
      if (options.verbose) process.stderr.write(`[${options.name}] ${chunk}`);
    });

    this.ready = new Promise<ReadyLine>((resolve, reject) => {
      let buffered = '';
      this.proc.stdout!.setEncoding('utf8');
      this.proc.stdout!.on('data', (chunk: string) => {
        buffered += chunk;
        const match = /^READY (\d+)((?: \w+=\d+)*)$/m.exec(buffered);
        if (match) {
          const named = match[2].trim().split(' ').filter(Boolean).map((pair) => pair.split('='));
          resolve({ port: Number(match[1]), ports: Object.fromEntries(named.map(([name, port]) => [name, Number(port)])) });
        }
        if (options.verbose) process.stderr.write(`[${options.name}] ${chunk}`);
        if (buffered.length > 100_000) buffered = buffered.slice(-1000);
      });
      this.proc.once('exit', (code, signal) =>
        reject(new Error(`${options.name} exited before READY (code ${code}, signal ${signal})${this.tail()}`)),
      );
    });
    this.ready.catch(() => undefined);

    this.proc.on('message', (reply: ControlReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if (reply.ok) w.resolve(reply.result);
      else w.reject(new Error(`${options.name}: ${reply.error}`));
    });
  }

  private tail(): string {
    const t = this.stderrTail.trim();
    return t ? `\n--- stderr of ${this.options.name} (tail) ---\n${t.split('\n').slice(-15).join('\n')}` : '';
  }

  /** Sends one command over IPC and waits for its answer, at most `timeoutMs`. */
  rpc<T>(cmd: string, args?: unknown, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (!this.proc.connected) {
        this.waiting.delete(id);
        reject(new Error(`${this.options.name}: IPC channel closed${this.tail()}`));
        return;
      }
      this.proc.send({ id, cmd, args });
    });
    return withTimeout(answer, timeoutMs, `${this.options.name} ${cmd}`).finally(() => this.waiting.delete(id));
  }

  /** SIGTERM by pid, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
