/**
 * The measurements, each driving one server (or the nodes of one system) and one generator that
 * are already running. Server CPU is read from each server process itself (process.cpuUsage over
 * IPC) at the edges of each window and summed over the nodes, so every throughput figure comes
 * with CPU time per message; on the Redis systems Redis's own CPU is read at the same edges.
 */
import { latencyDurationMs, type Profile } from './config.js';
import { sleep } from './lib/clock.js';
import type { ProcessStats } from './lib/control.js';
import type { Child } from './lib/proc.js';

export interface MeasureContext {
  /** The server, or the first node of several: broadcasts are issued and connections counted here. */
  server: Child;
  /** Every server process of the system (`server` first); CPU and memory are summed over them. */
  nodes: Child[];
  /** Redis's own CPU time so far (µs), on the systems whose broker is Redis. */
  redisCpuUs?: () => Promise<number>;
  generator: Child;
  profile: Profile;
  /** Records one value of a metric for this (system, run). */
  record(metric: string, value: number): void;
  /** Something worth reading that does not stop the measurement. */
  warn(message: string): void;
  /** A standing remark about this system's figures (printed once under the table). */
  note(message: string): void;
  /** Most clients the generator holds for this system (SystemSpec.maxClients). */
  maxClients: number;
  maxClientsReason: string;
  /** Runs a measured window; with `--profile`, the server's CPU profile covers exactly that window. */
  profiled(label: string, window: () => Promise<void>): Promise<void>;
}

interface ConnectResult {
  ok: number;
  failed: number;
  ms: number;
  errors: string[];
  pool: number;
}

/** CPU time and memory summed over the system's nodes (`t` is the first node's clock). */
async function statsOf(ctx: MeasureContext, cmd: 'stats' | 'settledStats'): Promise<ProcessStats> {
  const all = await Promise.all(ctx.nodes.map((node) => node.rpc<ProcessStats>(cmd)));
  return all.reduce((sum, s) => ({ cpuUs: sum.cpuUs + s.cpuUs, rss: sum.rss + s.rss, heapUsed: sum.heapUsed + s.heapUsed, t: sum.t }));
}

const stats = (ctx: MeasureContext): Promise<ProcessStats> => statsOf(ctx, 'stats');

/** Redis's CPU time so far, or NaN when the system does not use Redis. */
const redisCpu = (ctx: MeasureContext): Promise<number> => ctx.redisCpuUs?.() ?? Promise.resolve(Number.NaN);

interface Mark {
  completed: number;
  t: number;
  cpuUs: number;
}

/** The generator's own clock, CPU time and closed-loop count. */
const mark = (ctx: MeasureContext): Promise<Mark> => ctx.generator.rpc<Mark>('mark');

/** Percent of one core used between two readings. */
const utilisation = (a: { cpuUs: number; t: number }, b: { cpuUs: number; t: number }): number =>
  (b.cpuUs - a.cpuUs) / 10 / (b.t - a.t);

async function connect(ctx: MeasureContext, n: number): Promise<ConnectResult> {
  const { connectConcurrency, connectTimeoutMs } = ctx.profile;
  const result = await ctx.generator.rpc<ConnectResult>(
    'connect',
    { n, concurrency: connectConcurrency, timeoutMs: connectTimeoutMs },
    connectTimeoutMs + 10_000,
  );
  if (result.failed > 0) ctx.warn(`${result.failed} of ${n} connections failed: ${result.errors.join(' | ')}`);
  if (result.ok === 0) throw new Error(`no connection could be opened: ${result.errors.join(' | ')}`);
  return result;
}

async function poolTo(ctx: MeasureContext, size: number): Promise<void> {
  const current = await ctx.generator.rpc<number>('poolSize');
  if (current > size) await ctx.generator.rpc('closeTo', { keep: size, timeoutMs: 5000 }, 30_000);
  else if (current < size) await connect(ctx, size - current);
}

/** Waits (bounded) until the server counts `expected` connections, so a reading is not taken mid-handshake. */
async function serverSees(ctx: MeasureContext, expected: number, timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let seen = await ctx.server.rpc<number>('connections');
  while (seen !== expected && Date.now() < deadline) {
    await sleep(50);
    seen = await ctx.server.rpc<number>('connections');
  }
  if (seen !== expected) ctx.warn(`server counts ${seen} connections, expected ${expected}`);
  return seen;
}

/** A few connections and echoes before anything is measured, so first-use costs are paid. */
export async function warmUp(ctx: MeasureContext): Promise<void> {
  await connect(ctx, 20);
  await ctx.generator.rpc('closedStart', { inflight: 1, maxMs: 5000 });
  await sleep(300);
  await ctx.generator.rpc('closedStop', { drainMs: ctx.profile.drainMs }, ctx.profile.drainMs + 5000);
  await poolTo(ctx, 0);
  await serverSees(ctx, 0);
}

/** (e) connection set-up rate, then (d) idle memory per connection over the same idle clients. */
export async function connectAndIdleMemory(ctx: MeasureContext): Promise<void> {
  const n = Math.min(ctx.profile.idleClients, ctx.maxClients);
  if (n < ctx.profile.idleClients) {
    ctx.note(`set-up rate and idle memory over ${n.toLocaleString('en-US')} clients, not ${ctx.profile.idleClients.toLocaleString('en-US')}: ${ctx.maxClientsReason}`);
  }
  const base = await statsOf(ctx, 'settledStats');
  const [m0, s0] = await Promise.all([mark(ctx), stats(ctx)]);
  const c = await connect(ctx, n);
  const [m1, s1] = await Promise.all([mark(ctx), stats(ctx)]);
  ctx.record('connect.rate', (c.ok / c.ms) * 1000);
  ctx.record('connect.cpu', (s1.cpuUs - s0.cpuUs) / c.ok);
  ctx.record('connect.srvUtil', utilisation(s0, s1));
  ctx.record('connect.genUtil', utilisation(m0, m1));
  const seen = await serverSees(ctx, c.ok);
  if (seen === 0) throw new Error('the server counts no connection; idle memory cannot be divided');
  await sleep(ctx.profile.settleMs);
  const idle = await statsOf(ctx, 'settledStats');
  ctx.record('memory.rss', (idle.rss - base.rss) / 1024 / seen);
  ctx.record('memory.heap', (idle.heapUsed - base.heapUsed) / 1024 / seen);
}

interface BroadcastWait {
  received: number;
  expected: number;
  tFirst: number;
  tLast: number;
}

/** One broadcast round: arm the generator's counter, have the server send, wait for every receipt. */
async function fanoutRound(ctx: MeasureContext, round: number, burst: number, clients: number) {
  const expected = clients * burst;
  await ctx.generator.rpc('arm', { expected });
  const [m0, s0, r0] = await Promise.all([mark(ctx), stats(ctx), redisCpu(ctx)]);
  const sent = await ctx.server.rpc<{ t0: number; t1: number }>('broadcast', { round, burst }, ctx.profile.fanoutTimeoutMs);
  const got = await ctx.generator.rpc<BroadcastWait>(
    'waitBroadcast',
    { timeoutMs: ctx.profile.fanoutTimeoutMs },
    ctx.profile.fanoutTimeoutMs + 5000,
  );
  const [m1, sMid] = await Promise.all([mark(ctx), stats(ctx)]);
  // Acks and socket flushes finish after the last receipt; let them land in this round's CPU.
  await sleep(150);
  const [s1, r1] = await Promise.all([stats(ctx), redisCpu(ctx)]);
  if (got.received !== expected) {
    throw new Error(`broadcast round ${round}: ${got.received} of ${expected} deliveries within ${ctx.profile.fanoutTimeoutMs} ms`);
  }
  return {
    ms: got.tLast - sent.t0,
    deliveries: got.received,
    cpuUs: s1.cpuUs - s0.cpuUs,
    redisUs: r1 - r0,
    srvUtil: utilisation(s0, sMid),
    genUtil: utilisation(m0, m1),
  };
}

/**
 * Broadcast rounds of `burst` messages to each client count (the pool shrinks from the idle
 * clients), recorded under `key.<clients>.*`: median time to last over `rounds` rounds after one
 * warm-up round, CPU summed over the rounds (and Redis's, as `.redis`, on the Redis systems). Each
 * round waits for every receipt before the next.
 */
async function fanoutSeries(
  ctx: MeasureContext,
  key: string,
  burst: number,
  rounds: number,
  clientCounts: readonly number[] = ctx.profile.fanoutClients,
): Promise<void> {
  let round = 0;
  for (const clients of [...clientCounts].sort((a, b) => b - a)) {
    if (clients > ctx.maxClients) {
      ctx.note(`fan-out to ${clients.toLocaleString('en-US')} not measured: ${ctx.maxClientsReason}`);
      continue;
    }
    await poolTo(ctx, clients);
    await serverSees(ctx, clients);
    await fanoutRound(ctx, ++round, 1, clients); // warm-up, not recorded
    const times: number[] = [];
    let deliveries = 0;
    let cpuUs = 0;
    let redisUs = 0;
    let genUtil = 0;
    let srvUtil = 0;
    await ctx.profiled(`${key}-${clients}`, async () => {
      for (let r = 0; r < rounds; r++) {
        const result = await fanoutRound(ctx, ++round, burst, clients);
        times.push(result.ms);
        deliveries += result.deliveries;
        cpuUs += result.cpuUs;
        redisUs += result.redisUs;
        genUtil = Math.max(genUtil, result.genUtil);
        srvUtil = Math.max(srvUtil, result.srvUtil);
      }
    });
    times.sort((a, b) => a - b);
    const ms = times[Math.floor(times.length / 2)];
    ctx.record(`${key}.${clients}.ms`, ms);
    ctx.record(`${key}.${clients}.rate`, ((clients * burst) / ms) * 1000);
    ctx.record(`${key}.${clients}.cpu`, cpuUs / deliveries);
    if (ctx.redisCpuUs) ctx.record(`${key}.${clients}.redis`, redisUs / deliveries);
    ctx.record(`${key}.${clients}.srvUtil`, srvUtil);
    ctx.record(`${key}.${clients}.genUtil`, genUtil);
  }
  await poolTo(ctx, 0);
}

/** (c) broadcast fan-out in bursts: `fanoutBurst` messages per round, so one ack may cover several. */
export async function fanout(ctx: MeasureContext): Promise<void> {
  await fanoutSeries(ctx, 'fanout', ctx.profile.fanoutBurst, ctx.profile.fanoutRounds);
}

/**
 * (c2) broadcast fan-out, single publish: one message per round, so each client owes one ack per
 * delivery (sent `ack.interval_ms` later), and the server handles one ack frame per delivery.
 */
export async function fanoutSingle(ctx: MeasureContext): Promise<void> {
  await fanoutSeries(ctx, 'single', 1, ctx.profile.singleRounds);
}

interface OpenLoopResult {
  sent: number;
  received: number;
  lost: number;
  achievedRate: number;
  maxBehindMs: number;
  maxLoopGapMs: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** (a) echo latency at fixed offered rates, open loop. */
export async function latency(ctx: MeasureContext): Promise<void> {
  const { latencyConnections, latencyRates, latencyDrainMs } = ctx.profile;
  await poolTo(ctx, latencyConnections);
  for (const rate of latencyRates) {
    const durationMs = latencyDurationMs(ctx.profile, rate);
    const s0 = await stats(ctx);
    const r = await ctx.generator.rpc<OpenLoopResult>(
      'latency',
      { rate, durationMs, drainMs: latencyDrainMs },
      durationMs + latencyDrainMs + 10_000,
    );
    const s1 = await stats(ctx);
    for (const q of ['p50', 'p99', 'p999'] as const) ctx.record(`latency.${rate}.${q}`, r[q]);
    ctx.record(`latency.${rate}.lost`, r.lost);
    ctx.record(`latency.${rate}.stall`, r.maxLoopGapMs);
    ctx.record(`latency.${rate}.cpu`, (s1.cpuUs - s0.cpuUs) / Math.max(1, r.received));
    if (r.lost > 0) ctx.warn(`${rate}/s: ${r.lost} of ${r.sent} echoes unanswered ${latencyDrainMs} ms after the last send`);
    await sleep(200);
  }
}

/** (b) closed-loop echo throughput for each [connections, in flight] shape. */
export async function throughput(ctx: MeasureContext): Promise<void> {
  await echoShapes(ctx, 'throughput');
}

/** Closed-loop echo for each [connections, in flight] shape, recorded under `prefix.<c>x<k>.*`. */
async function echoShapes(ctx: MeasureContext, prefix: string): Promise<void> {
  const { throughputShapes, throughputWarmMs, throughputWindowMs, drainMs } = ctx.profile;
  for (const [connections, inflight] of throughputShapes) {
    const key = `${prefix}.${connections}x${inflight}`;
    await poolTo(ctx, connections);
    await ctx.generator.rpc('closedStart', { inflight, maxMs: throughputWarmMs + throughputWindowMs + 10_000 });
    try {
      await sleep(throughputWarmMs);
      let m0!: Awaited<ReturnType<typeof mark>>, s0!: Awaited<ReturnType<typeof stats>>;
      let m1!: Awaited<ReturnType<typeof mark>>, s1!: Awaited<ReturnType<typeof stats>>;
      let r0 = Number.NaN;
      let r1 = Number.NaN;
      await ctx.profiled(`${key}`, async () => {
        [m0, s0, r0] = await Promise.all([mark(ctx), stats(ctx), redisCpu(ctx)]);
        await sleep(throughputWindowMs);
        [m1, s1, r1] = await Promise.all([mark(ctx), stats(ctx), redisCpu(ctx)]);
      });
      const done = m1.completed - m0.completed;
      if (done === 0) throw new Error(`${key}: no echo completed in ${throughputWindowMs} ms`);
      ctx.record(`${key}.rate`, (done / (m1.t - m0.t)) * 1000);
      ctx.record(`${key}.cpu`, (s1.cpuUs - s0.cpuUs) / done);
      if (ctx.redisCpuUs) ctx.record(`${key}.redis`, (r1 - r0) / done);
      ctx.record(`${key}.srvUtil`, utilisation(s0, s1));
      ctx.record(`${key}.genUtil`, utilisation(m0, m1));
    } finally {
      const stop = await ctx.generator.rpc<{ drained: boolean; outstanding: number }>('closedStop', { drainMs }, drainMs + 5000);
      if (!stop.drained) ctx.warn(`${key}: ${stop.outstanding} echoes still unanswered ${drainMs} ms after stopping`);
    }
  }
  await poolTo(ctx, 0);
}

/**
 * (f) the cluster section (issue 11), on the memory broker's one node and the Redis systems alike:
 * broadcasts to `clusterClients` clients spread over the nodes, issued on the first node, in
 * bursts (as (c)) and as single publishes (as (c2)); then closed-loop echo (as (b)). Server CPU is
 * summed over the nodes; Redis's own CPU is recorded apart (`.redis`).
 */
export async function cluster(ctx: MeasureContext): Promise<void> {
  const { clusterClients, fanoutBurst, fanoutRounds, singleRounds } = ctx.profile;
  await fanoutSeries(ctx, 'cluster.fanout', fanoutBurst, fanoutRounds, [clusterClients]);
  await fanoutSeries(ctx, 'cluster.single', 1, singleRounds, [clusterClients]);
  await echoShapes(ctx, 'cluster.echo');
}
