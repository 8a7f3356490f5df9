/**
 * Where a server's time went, from the `.cpuprofile` files `--profile` writes:
 *
 *   node dist/bench/profile-summary.js [--top=N] [--inclusive=name,name] [--under=name] file.cpuprofile…
 *
 * Several files are summed (e.g. the profiles of several runs). Prints self time by function
 * (name, file, line), self time by area (nest-duplex, ws, Nest, Node internals, V8), and with
 * `--inclusive` the time spent in and under the functions of each given name (exact). `--under`
 * keeps only the samples with a function of that name on their stack (e.g. `--under=socketOnData`:
 * what reading frames costs).
 * Percentages are of the busy time: the sampled time minus V8's "(idle)".
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A path short enough for a table: the package and its file, or the project-relative file. */
function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const dist = path.indexOf('/dist/');
  return dist >= 0 ? path.slice(dist + '/dist/'.length) : path;
}

function area(url: string): string {
  if (url === '') return 'V8 / native (GC, program, builtins)';
  if (url.startsWith('node:')) return 'Node internals (net, streams, timers)';
  const short = shortUrl(url);
  if (short.startsWith('lib/')) return 'nest-duplex (lib/)';
  if (short.startsWith('ws/')) return 'ws';
  if (short.startsWith('@nestjs/') || short.startsWith('rxjs/')) return 'Nest / rxjs';
  if (short.startsWith('bench/')) return 'bench harness';
  return 'other';
}

const key = (f: CallFrame): string => `${f.functionName || '(anonymous)'}  ${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : ''}`.trim();

interface Totals {
  busyUs: number;
  idleUs: number;
  self: Map<string, number>;
  areas: Map<string, number>;
  inclusive: Map<string, number>;
}

const add = (map: Map<string, number>, k: string, us: number): void => void map.set(k, (map.get(k) ?? 0) + us);

function summarise(profile: CpuProfile, patterns: string[], under: string | undefined, totals: Totals): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Sample i stands for the time until sample i + 1 (the last one until the profile's end).
  let t = profile.startTime;
  const stamps = profile.timeDeltas.map((d) => (t += d));
  for (let i = 0; i < profile.samples.length; i++) {
    const us = (i + 1 < stamps.length ? stamps[i + 1] : profile.endTime) - stamps[i];
    const node = byId.get(profile.samples[i]);
    if (!node || us <= 0) continue;
    if (node.callFrame.functionName === '(idle)') {
      totals.idleUs += us;
      continue;
    }
    // Each name counts a sample once, however many of its frames are on the stack (recursion).
    const hit = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) hit.add(byId.get(id)!.callFrame.functionName);
    if (under !== undefined && !hit.has(under)) continue;
    totals.busyUs += us;
    add(totals.self, key(node.callFrame), us);
    add(totals.areas, area(node.callFrame.url), us);
    for (const p of patterns) if (hit.has(p)) add(totals.inclusive, p, us);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const top = Number(option('top') ?? 15);
  const patterns = option('inclusive')?.split(',').filter(Boolean) ?? [];
  const under = option('under');
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    process.stderr.write('usage: node dist/bench/profile-summary.js [--top=N] [--inclusive=name,name] [--under=name] file.cpuprofile…\n');
    process.exit(2);
  }
  const totals: Totals = { busyUs: 0, idleUs: 0, self: new Map(), areas: new Map(), inclusive: new Map() };
  for (const file of files) summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, patterns, under, totals);

  const pct = (us: number): string => `${((us / totals.busyUs) * 100).toFixed(1).padStart(5)}%`;
  const ms = (us: number): string => `${(us / 1000).toFixed(1).padStart(8)} ms`;
  const sorted = (map: Map<string, number>): Array<[string, number]> => [...map].sort((a, b) => b[1] - a[1]);
  const out: string[] = [
    `${files.length} profile(s): busy ${(totals.busyUs / 1000).toFixed(1)} ms${under ? ` under ${under}` : ''}, idle ${(totals.idleUs / 1000).toFixed(1)} ms; % of busy`,
    '',
    'self time by function',
    ...sorted(totals.self).slice(0, top).map(([k, us]) => `${ms(us)} ${pct(us)}  ${k}`),
    '',
    'self time by area',
    ...sorted(totals.areas).map(([k, us]) => `${ms(us)} ${pct(us)}  ${k}`),
  ];
  if (patterns.length) {
    out.push('', 'inclusive time (in and under functions of that name)');
    for (const p of patterns) out.push(`${ms(totals.inclusive.get(p) ?? 0)} ${pct(totals.inclusive.get(p) ?? 0)}  ${p}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
