/**
 * The child side of the control channel: the Node IPC pipe the runner opened. Commands come in
 * as `{id, cmd, args}` and are answered `{id, ok, result | error}`. The channel carries no load
 * traffic, so it stays out of every measured path.
 */
export type CommandHandler = (args: any) => unknown;

export interface ControlRequest {
  id: number;
  cmd: string;
  args?: unknown;
}

export interface ControlReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export function serveControl(handlers: Record<string, CommandHandler>): void {
  // Started by hand (no runner): serve the load, take no commands.
  if (!process.send) return;
  // An orphan must not outlive its runner: when the pipe closes, leave.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ControlRequest) => {
    const handler = handlers[message.cmd];
    const reply = (body: Omit<ControlReply, 'id'>): void => {
      if (process.connected) process.send!({ id: message.id, ...body });
    };
    if (!handler) {
      reply({ ok: false, error: `unknown command ${message.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => reply({ ok: true, result }),
        (err: unknown) => reply({ ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
  });
}

/** What every server reports on request: its own CPU time and memory, from inside the process. */
export interface ProcessStats {
  /** user + system CPU time of the whole process (all threads), microseconds. */
  cpuUs: number;
  rss: number;
  heapUsed: number;
  t: number;
}

export function processStats(): ProcessStats {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return { cpuUs: cpu.user + cpu.system, rss: mem.rss, heapUsed: mem.heapUsed, t: Number(process.hrtime.bigint()) / 1e6 };
}

/** Full collections until the heap stops shrinking (needs --expose-gc); used before memory readings. */
export async function settleHeap(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
