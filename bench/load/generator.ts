/**
 * The load generator: a child process of the runner, pinned to its own core, holding a pool of
 * client connections to one system (through that system's adapter) and running what the runner
 * asks over IPC. Every loop here is bounded both in count and in time.
 *
 *   node dist/bench/load/generator.js <adapter-id> <port>[,<port>…]
 *
 * With several ports (the nodes of one system sharing a broker) the clients go to them in turn.
 */
import { localMs, nowMs, sleep, withTimeout } from '../lib/clock.js';
import { serveControl } from '../lib/control.js';
import { quantile } from '../lib/stats.js';
import type { LoadConnection, LoadSink } from './adapter.js';
import { adapters } from './adapters/index.js';

const [adapterId, portText] = process.argv.slice(2);
const makeAdapter = adapters[adapterId ?? ''];
if (!makeAdapter) throw new Error(`unknown adapter "${adapterId}"; known: ${Object.keys(adapters).join(', ')}`);
const adapter = makeAdapter();
const ports = (portText ?? '').split(',').map(Number);
if (ports.some((p) => !(p > 0))) throw new Error(`bad port list "${portText}"`);

const pool: LoadConnection[] = [];
const problems = { unexpectedCloses: 0, errors: 0, first: [] as string[] };
const note = (what: string): void => {
  if (problems.first.length < 5) problems.first.push(what);
};

/** Broadcast receipts, counted across all connections since the last `arm`. */
const fanout = { received: 0, tFirst: 0, tLast: 0, expected: Infinity, onDone: undefined as (() => void) | undefined };

const sink: LoadSink = {
  onBroadcast() {
    const t = nowMs();
    if (fanout.received++ === 0) fanout.tFirst = t;
    fanout.tLast = t;
    if (fanout.received === fanout.expected) fanout.onDone?.();
  },
  onUnexpectedClose(reason) {
    problems.unexpectedCloses++;
    note(reason);
  },
  onError(reason) {
    problems.errors++;
    note(reason);
  },
};

async function connectMany({ n, concurrency, timeoutMs }: { n: number; concurrency: number; timeoutMs: number }) {
  const t0 = nowMs();
  const deadline = t0 + timeoutMs;
  let started = 0;
  let ok = 0;
  const errors: string[] = [];
  const worker = async (): Promise<void> => {
    while (started < n && nowMs() < deadline) {
      const port = ports[started++ % ports.length];
      try {
        pool.push(await withTimeout(adapter.connect(port, sink), Math.max(1, deadline - nowMs()), 'connect'));
        ok++;
      } catch (err) {
        if (errors.length < 3) errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { ok, failed: n - ok, ms: nowMs() - t0, errors, pool: pool.length };
}

async function closeTo({ keep, timeoutMs }: { keep: number; timeoutMs: number }) {
  const victims = pool.splice(keep);
  await Promise.all(
    victims.map((c) =>
      withTimeout(c.close(), timeoutMs, 'close').catch(() => {
        c.destroy();
      }),
    ),
  );
  return { closed: victims.length, pool: pool.length };
}

/** Waits until `check()` holds or `timeoutMs` passed; true if it held. */
async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = nowMs() + timeoutMs;
  while (!check()) {
    if (nowMs() >= deadline) return false;
    await sleep(2);
  }
  return true;
}

/**
 * Open loop: message k is due at t0 + k/rate whatever happened before, and its latency is taken
 * from that due time, so a stalled server is charged for every message it delayed (no coordinated
 * omission). The send loop spins on setImmediate (the generator has its own core) so due times
 * are kept to a few microseconds; I/O is still served between iterations.
 */
async function openLoop({ rate, durationMs, drainMs }: { rate: number; durationMs: number; drainMs: number }) {
  if (pool.length === 0) throw new Error('no connections');
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const latency = new Float64Array(total).fill(Number.POSITIVE_INFINITY);
  const interval = 1000 / rate;
  let sent = 0;
  let received = 0;
  let maxBehind = 0;
  let maxGap = 0;
  let last = localMs();
  const t0 = last + 5;
  await new Promise<void>((resolve) => {
    const step = (): void => {
      const now = localMs();
      if (now - last > maxGap) maxGap = now - last;
      last = now;
      while (sent < total) {
        const due = t0 + sent * interval;
        if (due > now) break;
        if (now - due > maxBehind) maxBehind = now - due;
        const k = sent++;
        pool[k % pool.length].echo(() => {
          latency[k] = localMs() - due;
          received++;
        });
      }
      if (sent < total) setImmediate(step);
      else resolve();
    };
    step();
  });
  const sendMs = localMs() - t0;
  await until(() => received >= total, drainMs);
  latency.sort();
  const ok = latency.subarray(0, received);
  let sum = 0;
  for (const v of ok) sum += v;
  return {
    sent: total,
    received,
    lost: total - received,
    achievedRate: (total / sendMs) * 1000,
    maxBehindMs: maxBehind,
    maxLoopGapMs: maxGap,
    p50: quantile(latency, 0.5),
    p90: quantile(latency, 0.9),
    p99: quantile(latency, 0.99),
    p999: quantile(latency, 0.999),
    max: received === total ? latency[total - 1] : Number.POSITIVE_INFINITY,
    mean: received ? sum / received : Number.NaN,
  };
}

/** Closed loop: every connection keeps `inflight` echoes outstanding until stopped. */
const closed = { running: false, completed: 0, outstanding: 0, cap: undefined as NodeJS.Timeout | undefined };
function fire(conn: LoadConnection): void {
  closed.outstanding++;
  conn.echo(() => {
    closed.outstanding--;
    closed.completed++;
    if (closed.running) fire(conn);
  });
}

serveControl({
  connect: connectMany,
  closeTo,
  poolSize: () => pool.length,
  problems: () => problems,
  /** Resets the broadcast counter; the runner triggers the broadcast only after this answered. */
  arm: ({ expected }: { expected: number }) => {
    Object.assign(fanout, { received: 0, tFirst: 0, tLast: 0, expected, onDone: undefined });
    return true;
  },
  waitBroadcast: async ({ timeoutMs }: { timeoutMs: number }) => {
    if (fanout.received < fanout.expected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        fanout.onDone = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    fanout.onDone = undefined;
    return { received: fanout.received, expected: fanout.expected, tFirst: fanout.tFirst, tLast: fanout.tLast };
  },
  latency: openLoop,
  /** Starts the closed loop; it stops by itself after `maxMs` even if no `closedStop` comes. */
  closedStart: ({ inflight, maxMs }: { inflight: number; maxMs: number }) => {
    if (pool.length === 0) throw new Error('no connections');
    clearTimeout(closed.cap);
    Object.assign(closed, { running: true, completed: 0, outstanding: 0 });
    closed.cap = setTimeout(() => (closed.running = false), maxMs);
    for (const conn of pool) for (let i = 0; i < inflight; i++) fire(conn);
    return true;
  },
  mark: () => {
    const cpu = process.cpuUsage();
    return { completed: closed.completed, t: nowMs(), cpuUs: cpu.user + cpu.system };
  },
  closedStop: async ({ drainMs }: { drainMs: number }) => {
    closed.running = false;
    clearTimeout(closed.cap);
    const drained = await until(() => closed.outstanding === 0, drainMs);
    return { drained, outstanding: closed.outstanding };
  },
});
process.stdout.write(`READY ${ports[0]}\n`);
