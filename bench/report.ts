/**
 * Turns the recorded values into one side-by-side table (systems as columns, median of the runs
 * with its ± spread) and a JSON file with every run's raw value, and computes the target ratios.
 * Ratios are printed, never enforced.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Profile } from './config.js';
import { summarize, type Summary } from './lib/stats.js';
import { CLUSTER, type SystemSpec } from './systems.js';

/** values[system][metric] = one value per run. */
export type Values = Record<string, Record<string, number[]>>;

export interface Failure {
  system: string;
  run: number;
  measure: string;
  error: string;
}

export interface Warning {
  system: string;
  run: number;
  measure: string;
  message: string;
}

export interface Note {
  system: string;
  message: string;
}

interface Row {
  metric?: string;
  label: string;
  unit?: string;
  /** Section title rows have no metric. */
  digits?: number;
}

function rows(profile: Profile, values: Values): Row[] {
  const out: Row[] = [{ label: '(a) echo latency, open loop' }];
  for (const rate of profile.latencyRates) {
    const r = rate.toLocaleString('en-US');
    out.push(
      { metric: `latency.${rate}.p50`, label: `  ${r}/s  p50`, unit: 'ms' },
      { metric: `latency.${rate}.p99`, label: `  ${r}/s  p99`, unit: 'ms' },
      { metric: `latency.${rate}.p999`, label: `  ${r}/s  p99.9`, unit: 'ms' },
      { metric: `latency.${rate}.cpu`, label: `  ${r}/s  server CPU/msg`, unit: 'µs' },
      { metric: `latency.${rate}.stall`, label: `  ${r}/s  longest generator stall`, unit: 'ms' },
    );
  }
  out.push({ label: '(b) echo throughput, closed loop' });
  for (const [c, k] of profile.throughputShapes) {
    const key = `throughput.${c}x${k}`;
    out.push(
      { metric: `${key}.rate`, label: `  ${c}×${k}  echoes/s` },
      { metric: `${key}.cpu`, label: `  ${c}×${k}  server CPU/msg`, unit: 'µs' },
      { metric: `${key}.srvUtil`, label: `  ${c}×${k}  server / generator core`, unit: '%' },
    );
  }
  out.push(...fanoutRows('fanout', `(c) broadcast fan-out, ${profile.fanoutBurst} msgs per round`, profile.fanoutClients));
  out.push(...fanoutRows('single', '(c2) broadcast fan-out, single publish (1 msg per round)', profile.fanoutClients));
  out.push(
    { label: `(d) idle memory, ${profile.idleClients.toLocaleString('en-US')} clients` },
    { metric: 'memory.rss', label: '  RSS per connection', unit: 'KiB' },
    { metric: 'memory.heap', label: '  JS heap per connection', unit: 'KiB' },
    { label: '(e) connection set-up' },
    { metric: 'connect.rate', label: '  connections/s' },
    { metric: 'connect.cpu', label: '  server CPU/connection', unit: 'µs' },
    { metric: 'connect.srvUtil', label: '  server / generator core', unit: '%' },
  );
  // The cluster section only when some system ran it (it runs on three systems only).
  if (Object.values(values).some((metrics) => Object.keys(metrics).some((m) => m.startsWith('cluster.')))) out.push(...clusterRows(profile));
  return out;
}

/**
 * (f) the cluster section (measures.ts cluster): server CPU summed over the nodes, Redis's own CPU
 * on a row of its own (the targets are on the nodes' CPU).
 */
function clusterRows(profile: Profile): Row[] {
  const n = profile.clusterClients;
  const c = n.toLocaleString('en-US');
  const out: Row[] = [{ label: `(f) cluster: ${c} clients over the nodes, broadcasts issued on the first; server CPU summed over the nodes` }];
  for (const [key, what] of [
    ['cluster.fanout', `burst of ${profile.fanoutBurst}`],
    ['cluster.single', 'single publish'],
  ] as const) {
    out.push(
      { metric: `${key}.${n}.ms`, label: `  ${what}  time to last`, unit: 'ms' },
      { metric: `${key}.${n}.rate`, label: `  ${what}  deliveries/s` },
      { metric: `${key}.${n}.cpu`, label: `  ${what}  server CPU/delivery`, unit: 'µs' },
      { metric: `${key}.${n}.redis`, label: `  ${what}  Redis CPU/delivery`, unit: 'µs' },
      { metric: `${key}.${n}.srvUtil`, label: `  ${what}  server / generator core`, unit: '%' },
    );
  }
  for (const [conns, k] of profile.throughputShapes) {
    const key = `cluster.echo.${conns}x${k}`;
    out.push(
      { metric: `${key}.rate`, label: `  echo ${conns}×${k}  echoes/s` },
      { metric: `${key}.cpu`, label: `  echo ${conns}×${k}  server CPU/msg`, unit: 'µs' },
      { metric: `${key}.redis`, label: `  echo ${conns}×${k}  Redis CPU/msg`, unit: 'µs' },
      { metric: `${key}.srvUtil`, label: `  echo ${conns}×${k}  server / generator core`, unit: '%' },
    );
  }
  return out;
}

/** The rows of one fan-out measure, recorded as `key.<clients>.*` (measures.ts fanoutSeries). */
function fanoutRows(key: string, title: string, clients: number[]): Row[] {
  const out: Row[] = [{ label: title }];
  for (const n of clients) {
    const c = n.toLocaleString('en-US');
    out.push(
      { metric: `${key}.${n}.ms`, label: `  ${c} clients  time to last`, unit: 'ms' },
      { metric: `${key}.${n}.rate`, label: `  ${c} clients  deliveries/s` },
      { metric: `${key}.${n}.cpu`, label: `  ${c} clients  server CPU/delivery`, unit: 'µs' },
      { metric: `${key}.${n}.srvUtil`, label: `  ${c} clients  server / generator core`, unit: '%' },
    );
  }
  return out;
}

function fmt(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return 'lost';
  if (Number.isNaN(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 10_000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

function cell(summary: Summary | undefined, runs: number): string {
  if (!summary) return '–';
  const text = fmt(summary.median);
  if (runs < 2 || !Number.isFinite(summary.median)) return text;
  const spread = Math.round(summary.spread * 100);
  return `${text} ±${spread > 999 ? '>999' : spread}%`;
}

export interface Target {
  name: string;
  metric: string;
  peer: string;
  /** The system the target is about; the run's subject (SUBJECT) when absent. */
  subject?: string;
  /** The subject's median divided by the peer's must be `op` `limit`; a ratio with no limit is only reported. */
  op: '<=' | '>=';
  limit?: number;
}

/**
 * TARGETS with the WebSocket fan-out rows bound to the largest client count of this profile, and
 * the gRPC one to the largest count up to 1,000 (the issue's figure; `--quick` has 500).
 */
export function targets(profile: Profile): Target[] {
  const most = Math.max(...profile.fanoutClients);
  const clients = most.toLocaleString('en-US');
  const grpc = Math.max(...profile.fanoutClients.filter((n) => n <= GRPC_FANOUT_CLIENTS));
  return TARGETS.map((t) => {
    if (t.metric === 'fanout.max.rate') return { ...t, metric: `fanout.${most}.rate`, name: `broadcast to ${clients}: deliveries/s vs raw ws` };
    if (t.metric === 'single.max.rate') return { ...t, metric: `single.${most}.rate`, name: `single publish to ${clients}: deliveries/s vs raw ws` };
    if (t.metric === 'fanout.grpc.rate') {
      return { ...t, metric: `fanout.${grpc}.rate`, name: `broadcast to ${grpc.toLocaleString('en-US')}: deliveries/s vs grpc-js` };
    }
    return t;
  }).concat(clusterTargets(profile.clusterClients));
}

/**
 * Issue 11: the Redis path against one node on the memory broker, in server CPU (summed over the
 * nodes; Redis's own CPU is not in it) per delivered message: a broadcast over two nodes and an
 * echo on one node, ≤ 1.5×. The rates' ratios are reported beside them.
 */
function clusterTargets(clients: number): Target[] {
  const c = clients.toLocaleString('en-US');
  const vsMemory = { peer: CLUSTER.memory, op: '<=' as const };
  return [
    ...(['fanout', 'single'] as const).flatMap((kind): Target[] => {
      const what = kind === 'fanout' ? 'bursts' : 'single';
      return [
        { name: `2 nodes, ${what} to ${c}: CPU/delivery vs memory`, metric: `cluster.${kind}.${clients}.cpu`, subject: CLUSTER.redis2n, ...vsMemory, limit: 1.5 },
        { name: `2 nodes, ${what} to ${c}: deliveries/s vs memory`, metric: `cluster.${kind}.${clients}.rate`, subject: CLUSTER.redis2n, ...vsMemory },
        { name: `1 node, ${what} to ${c}: CPU/delivery vs memory`, metric: `cluster.${kind}.${clients}.cpu`, subject: CLUSTER.redis, ...vsMemory },
      ];
    }),
    ...(['50x4', '500x1'] as const).flatMap((shape): Target[] => {
      const label = shape.replace('x', '×');
      return [
        { name: `echo CPU/msg (${label}) vs memory`, metric: `cluster.echo.${shape}.cpu`, subject: CLUSTER.redis, ...vsMemory, limit: 1.5 },
        { name: `echoes/s (${label}) vs memory`, metric: `cluster.echo.${shape}.rate`, subject: CLUSTER.redis, ...vsMemory },
      ];
    }),
  ];
}

const GRPC_FANOUT_CLIENTS = 1000;

const TARGETS: Target[] = [
  { name: 'echo CPU/msg (50×4) vs raw ws', metric: 'throughput.50x4.cpu', peer: 'ws', op: '<=', limit: 1.5 },
  { name: 'echo CPU/msg (50×4) vs Socket.IO ws', metric: 'throughput.50x4.cpu', peer: 'socketio-ws', op: '<=', limit: 1.0 },
  { name: 'echo CPU/msg (50×4) vs Nest gateway', metric: 'throughput.50x4.cpu', peer: 'nest-ws', op: '<=', limit: 1.0 },
  { name: 'echo CPU/msg (500×1) vs raw ws', metric: 'throughput.500x1.cpu', peer: 'ws', op: '<=', limit: 1.5 },
  { name: 'echo CPU/msg (500×1) vs Socket.IO ws', metric: 'throughput.500x1.cpu', peer: 'socketio-ws', op: '<=', limit: 1.0 },
  { name: 'echo CPU/msg (500×1) vs Nest gateway', metric: 'throughput.500x1.cpu', peer: 'nest-ws', op: '<=', limit: 1.0 },
  { name: 'broadcast to the most clients: deliveries/s vs raw ws', metric: 'fanout.max.rate', peer: 'ws', op: '>=', limit: 0.8 },
  { name: 'single publish to the most clients: deliveries/s vs raw ws', metric: 'single.max.rate', peer: 'ws', op: '>=', limit: 0.8 },
  { name: 'idle RSS/connection vs raw ws', metric: 'memory.rss', peer: 'ws', op: '<=', limit: 1.5 },
  // nest-duplex over gRPC against raw grpc-js on the same proto (issue 9).
  ...([50, 500] as const).flatMap((c): Target[] => {
    const shape = c === 50 ? '50x4' : '500x1';
    const label = c === 50 ? '50×4' : '500×1';
    return [
      { name: `echoes/s (${label}) vs raw grpc-js`, metric: `throughput.${shape}.rate`, peer: 'grpc', subject: 'duplex-grpc', op: '>=', limit: 0.9 },
      { name: `echo CPU/msg (${label}) vs raw grpc-js`, metric: `throughput.${shape}.cpu`, peer: 'grpc', subject: 'duplex-grpc', op: '<=', limit: 1.25 },
    ];
  }),
  { name: 'broadcast to 1,000: deliveries/s vs grpc-js', metric: 'fanout.grpc.rate', peer: 'grpc', subject: 'duplex-grpc', op: '>=', limit: 0.8 },
  // nest-duplex over SSE and long-polling against Socket.IO's polling and the raw node:http floor (issue 10).
  ...(['50x4', '500x1'] as const).flatMap((shape): Target[] => {
    const label = shape.replace('x', '×');
    return [
      { name: `echoes/s (${label}) vs Socket.IO polling`, metric: `throughput.${shape}.rate`, peer: 'socketio-poll', subject: 'duplex-sse', op: '>=', limit: 1.5 },
      { name: `echo CPU/msg (${label}) vs raw node:http SSE`, metric: `throughput.${shape}.cpu`, peer: 'http-sse', subject: 'duplex-sse', op: '<=', limit: 1.5 },
      { name: `echoes/s (${label}) vs Socket.IO polling`, metric: `throughput.${shape}.rate`, peer: 'socketio-poll', subject: 'duplex-lp', op: '>=', limit: 1.2 },
      { name: `echo CPU/msg (${label}) vs raw node:http long-poll`, metric: `throughput.${shape}.cpu`, peer: 'http-lp', subject: 'duplex-lp', op: '<=', limit: 1.5 },
    ];
  }),
];

export interface RatioResult extends Target {
  subject: string;
  ratio: number | null;
  /** `info`: a ratio reported with no target. */
  status: 'meets' | 'misses' | 'n/a' | 'info';
}

export function ratios(
  summaries: Record<string, Record<string, Summary | undefined>>,
  defaultSubject: string,
  profile: Profile,
): RatioResult[] {
  return targets(profile).map((t) => {
    const subject = t.subject ?? defaultSubject;
    const mine = summaries[subject]?.[t.metric]?.median;
    const theirs = summaries[t.peer]?.[t.metric]?.median;
    if (mine === undefined || theirs === undefined || !Number.isFinite(mine) || !(theirs > 0)) {
      return { ...t, subject, ratio: null, status: 'n/a' as const };
    }
    const ratio = mine / theirs;
    if (t.limit === undefined) return { ...t, subject, ratio, status: 'info' as const };
    const meets = t.op === '<=' ? ratio <= t.limit : ratio >= t.limit;
    return { ...t, subject, ratio, status: meets ? ('meets' as const) : ('misses' as const) };
  });
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

export interface Report {
  date: string;
  profile: Profile;
  machine: ReturnType<typeof machine>;
  pinning: string;
  elapsedS: number;
  systems: SystemSpec[];
  values: Values;
  summaries: Record<string, Record<string, Summary | undefined>>;
  ratios: RatioResult[];
  failures: Failure[];
  warnings: Warning[];
  notes: Note[];
}

export function buildReport(input: Omit<Report, 'summaries' | 'ratios'>, subject: string): Report {
  const summaries: Report['summaries'] = {};
  for (const system of input.systems) {
    summaries[system.id] = {};
    for (const [metric, runs] of Object.entries(input.values[system.id] ?? {})) {
      summaries[system.id][metric] = summarize(runs);
    }
  }
  return { ...input, summaries, ratios: ratios(summaries, subject, input.profile) };
}

export function formatTable(report: Report): string {
  const { profile, systems, summaries } = report;
  const runs = profile.runs;
  const labelWidth = 44;
  const widths = systems.map((s) => Math.max(s.id.length, runs > 1 ? 14 : 9));
  const line = (label: string, cells: string[]): string =>
    label.padEnd(labelWidth) + cells.map((c, i) => c.padStart(widths[i] + 2)).join('');
  const out: string[] = [];
  out.push(
    `nest-duplex bench — ${report.date} — ${profile.name}, ${runs} run(s) interleaved — ${report.elapsedS.toFixed(0)} s`,
    `${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, ${report.machine.os}, Node ${report.machine.node}; ${report.pinning}`,
    runs > 1 ? 'cells: median of the runs ±half their range (% of the median)' : 'cells: one run',
    '',
    line('', systems.map((s) => s.id)),
  );
  for (const row of rows(profile, report.values)) {
    if (!row.metric) {
      out.push(row.label);
      continue;
    }
    const label = `${row.label}${row.unit ? ` (${row.unit})` : ''}`;
    if (row.metric.endsWith('.srvUtil')) {
      const gen = row.metric.replace('.srvUtil', '.genUtil');
      out.push(
        line(
          label,
          systems.map((s) => {
            const a = summaries[s.id]?.[row.metric!];
            const b = summaries[s.id]?.[gen];
            return a && b ? `${Math.round(a.median)}/${Math.round(b.median)}` : '–';
          }),
        ),
      );
      continue;
    }
    out.push(line(label, systems.map((s) => cell(summaries[s.id]?.[row.metric!], runs))));
  }
  // One block per subject that ran (duplex-ws against the WebSocket peers, duplex-grpc against grpc-js).
  for (const subject of new Set(report.ratios.map((r) => r.subject))) {
    if (!systems.some((s) => s.id === subject)) continue;
    out.push('', `targets for ${subject} (read from this run; never enforced):`);
    for (const r of report.ratios.filter((x) => x.subject === subject)) {
      const value = r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}×`;
      const target = r.limit === undefined ? '(no target)' : `target ${r.op} ${r.limit}×   ${r.status}`;
      out.push(`  ${r.name.padEnd(48)} ${value.padStart(7)}   ${target}`);
    }
    if (subject === CLUSTER.redis || subject === CLUSTER.redis2n) out.push(`  (server CPU summed over the nodes, against one node on the memory broker; Redis's own CPU is not in it)`);
  }
  if (report.notes.length) {
    out.push('', 'notes:');
    for (const n of report.notes) out.push(`  ${n.system}: ${n.message}`);
  }
  if (report.warnings.length) {
    out.push('', 'warnings:');
    for (const w of report.warnings.slice(0, 30)) out.push(`  ${w.system} run ${w.run} ${w.measure}: ${w.message}`);
    if (report.warnings.length > 30) out.push(`  … ${report.warnings.length - 30} more in the JSON`);
  }
  if (report.failures.length) {
    out.push('', 'FAILED (a system could not be measured):');
    for (const f of report.failures) out.push(`  ${f.system} run ${f.run} ${f.measure}: ${f.error.split('\n')[0]}`);
  }
  return out.join('\n');
}

export function writeResults(dir: URL, report: Report, table: string): string {
  mkdirSync(dir, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  const json = JSON.stringify(report, (_k, v) => (v === Number.POSITIVE_INFINITY ? 'Infinity' : v), 2);
  const file = new URL(`bench-${report.profile.name}-${stamp}.json`, dir);
  writeFileSync(file, json);
  writeFileSync(new URL('latest.json', dir), json);
  writeFileSync(new URL('latest.txt', dir), table + '\n');
  return file.pathname;
}
