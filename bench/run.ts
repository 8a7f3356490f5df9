/**
 * `npm run bench [-- --quick] [--runs=N] [--only=a,b] [--skip=a,b] [--measures=m,m] [--no-pin] [--profile[=µs]] [--verbose]`
 *
 * For each run, and in it for each system: start the system's server as its own process (pinned
 * to one core), start a load generator process (pinned to the other), run the measurements,
 * stop both by pid. Runs are interleaved (run 2 starts after every system had run 1), so a
 * slow patch of the machine spreads over all systems. Prints one table, writes JSON to
 * bench/results/. Exits 1 only if some system could not be measured, never because of a ratio.
 */
import { readFileSync } from 'node:fs';
import { FULL, QUICK, type Profile } from './config.js';
import { BenchRedis } from './lib/bench-redis.js';
import { withTimeout } from './lib/clock.js';
import { Child, canPin } from './lib/proc.js';
import { cluster, connectAndIdleMemory, fanout, fanoutSingle, latency, throughput, warmUp, type MeasureContext } from './measures.js';
import { buildReport, formatTable, machine, writeResults, type Failure, type Note, type Values, type Warning } from './report.js';
import { MEASURES, SUBJECT, SYSTEMS, measuresOf, type MeasureName, type SystemSpec } from './systems.js';

const STEP: Record<MeasureName, (c: MeasureContext) => Promise<void>> = {
  connect: connectAndIdleMemory,
  fanout,
  'fanout-single': fanoutSingle,
  latency,
  throughput,
  cluster,
};
/** The measurements in the order they run on each (system, run); `--measures=` picks some. */
const STEPS: Array<[MeasureName, (c: MeasureContext) => Promise<void>]> = MEASURES.map((name) => [name, STEP[name]]);

const GENERATOR_CPU = 0;
const SERVER_CPU = 1;
/** `--profile`: one server CPU profile per measured window that asks for it (see MeasureContext.profiled). */
const PROFILE_DIR = new URL('../../bench/results/profiles/', import.meta.url);
/**
 * `--profile` alone samples every 1 ms (V8's default); `--profile=100` samples finer but costs the
 * server more (raw ws single publish: about +20% CPU per delivery at 1 ms, 2–2.5× at 100 µs). The
 * shares of the top functions came out the same at both.
 */
const PROFILE_INTERVAL_US = 1000;

function parseArgs(argv: string[]) {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const [key, value = 'true'] = arg.replace(/^--/, '').split('=');
    flags.set(key, value);
  }
  if (flags.has('help')) {
    process.stdout.write(
      `npm run bench -- [--quick] [--runs=N] [--only=id,id] [--skip=id,id] [--measures=${STEPS.map(([n]) => n).join(',')}] [--no-pin] [--profile[=µs]] [--verbose]\n` +
        `systems: ${SYSTEMS.map((s) => s.id).join(', ')}\n`,
    );
    process.exit(0);
  }
  const base: Profile = flags.has('quick') ? QUICK : FULL;
  const profile: Profile = { ...base, runs: flags.has('runs') ? Math.max(1, Number(flags.get('runs'))) : base.runs };
  const list = (name: string): string[] | undefined => flags.get(name)?.split(',').filter(Boolean);
  const only = list('only');
  const skip = list('skip') ?? [];
  for (const id of [...(only ?? []), ...skip]) {
    if (!SYSTEMS.some((s) => s.id === id)) throw new Error(`unknown system "${id}"; known: ${SYSTEMS.map((s) => s.id).join(', ')}`);
  }
  const measures = list('measures') ?? STEPS.map(([name]) => name);
  for (const m of measures) {
    if (!STEPS.some(([name]) => name === m)) throw new Error(`unknown measure "${m}"; known: ${STEPS.map(([n]) => n).join(', ')}`);
  }
  // A system none of whose measures was asked for is not started (e.g. the Redis systems, which
  // take part only in `cluster`, under --measures=throughput).
  const systems = SYSTEMS.filter(
    (s) => (only ? only.includes(s.id) : true) && !skip.includes(s.id) && measuresOf(s).some((m) => measures.includes(m)),
  );
  const profileFlag = flags.get('profile');
  const profileUs = profileFlag === undefined ? undefined : profileFlag === 'true' ? PROFILE_INTERVAL_US : Number(profileFlag);
  if (profileUs !== undefined && !(profileUs >= 1)) throw new Error(`--profile=${profileFlag}: the sampling interval is a number of µs`);
  return { profile, systems, measures, pin: !flags.has('no-pin'), verbose: flags.has('verbose'), profileUs };
}

/** The soft and hard limits on open files (the generator holds one or two per client). */
function openFileLimits(): { soft: number; hard: number } {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line?.split(/\s+/).slice(3, 5) ?? []).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
    return { soft: soft ?? Infinity, hard: hard ?? Infinity };
  } catch {
    return { soft: Infinity, hard: Infinity };
  }
}

/** Debugging aid: extra node flags for the children, e.g. BENCH_SERVER_NODE_ARGS=--trace-gc. */
const extraArgs = (name: string): string[] => process.env[name]?.split(/\s+/).filter(Boolean) ?? [];

const log = (message: string): void => void process.stderr.write(`${message}\n`);

/**
 * `--profile`: the server's CPU profile over exactly one measured window, written to PROFILE_DIR
 * as `name`; one per node (`…-n1.cpuprofile`, `…-n2.cpuprofile`) when the system has several.
 */
async function profileWindow(nodes: Child[], intervalUs: number, name: string, window: () => Promise<void>): Promise<void> {
  await Promise.all(nodes.map((node) => node.rpc('profileStart', { intervalUs })));
  try {
    await window();
  } finally {
    for (const [i, node] of nodes.entries()) {
      const file = new URL(nodes.length > 1 ? name.replace(/(\.cpuprofile)?$/, `-n${i + 1}$1`) : name, PROFILE_DIR).pathname;
      log(`  profile: ${await node.rpc<string>('profileStop', { file })}`);
    }
  }
}

async function measureSystem(
  system: SystemSpec,
  run: number,
  profile: Profile,
  options: { pin: boolean; verbose: boolean; measures: string[]; openFiles: number | undefined; profileUs: number | undefined },
  values: Values,
  failures: Failure[],
  warnings: Warning[],
  notes: Note[],
): Promise<void> {
  const started = Date.now();
  const nodes: Child[] = [];
  let redis: BenchRedis | undefined;
  let generator: Child | undefined;
  let measure = 'start';
  try {
    // Unreachable Redis fails the system here (and the run's exit code), never skips it.
    if (system.redis) redis = await BenchRedis.open();
    const count = system.nodes ?? 1;
    // Every node on the server core: the nodes of one system share what one server had.
    for (let i = 1; i <= count; i++) {
      nodes.push(
        new Child({
          name: `${system.id} server${count > 1 ? ` node ${i}` : ''}`,
          script: new URL(`./servers/${system.server}`, import.meta.url).pathname,
          args: system.serverArgs,
          nodeArgs: ['--expose-gc', ...extraArgs('BENCH_SERVER_NODE_ARGS')],
          cpu: options.pin ? SERVER_CPU : undefined,
          env: redis ? { BENCH_REDIS_PREFIX: redis.prefix } : undefined,
          openFiles: options.openFiles,
          verbose: options.verbose,
        }),
      );
    }
    const server = nodes[0];
    const ports = await Promise.all(
      nodes.map(async (node) => {
        const ready = await withTimeout(node.ready, 30_000, `${system.id} server READY`);
        const port = system.port === undefined ? ready.port : ready.ports[system.port];
        if (port === undefined) throw new Error(`${system.id} server reported no "${system.port}" port on its READY line`);
        return port;
      }),
    );
    generator = new Child({
      name: `${system.id} generator`,
      script: new URL('./load/generator.js', import.meta.url).pathname,
      args: [system.adapter, ports.join(',')],
      nodeArgs: extraArgs('BENCH_GENERATOR_NODE_ARGS'),
      cpu: options.pin ? GENERATOR_CPU : undefined,
      openFiles: options.openFiles,
      verbose: options.verbose,
    });
    await withTimeout(generator.ready, 30_000, `${system.id} generator READY`);

    const ctx: MeasureContext = {
      server,
      nodes,
      redisCpuUs: redis && (() => redis!.cpuUs()),
      generator,
      profile,
      record(metric, value) {
        ((values[system.id] ??= {})[metric] ??= []).push(value);
      },
      warn(message) {
        warnings.push({ system: system.id, run, measure, message });
        if (options.verbose) log(`  warning: ${system.id} ${measure}: ${message}`);
      },
      note(message) {
        if (!notes.some((n) => n.system === system.id && n.message === message)) notes.push({ system: system.id, message });
      },
      maxClients: system.maxClients?.count ?? Number.POSITIVE_INFINITY,
      maxClientsReason: system.maxClients?.reason ?? '',
      profiled: (label, window) =>
        options.profileUs === undefined
          ? window()
          : profileWindow(nodes, options.profileUs, `${system.id}-run${run}-${label}.cpuprofile`, window),
    };
    const steps: Array<[string, (c: MeasureContext) => Promise<void>]> = [
      ['warm-up', warmUp],
      ...STEPS.filter(([name]) => options.measures.includes(name) && measuresOf(system).includes(name)),
    ];
    for (const [name, step] of steps) {
      measure = name;
      const t0 = Date.now();
      try {
        await step(ctx);
      } catch (err) {
        failures.push({ system: system.id, run, measure, error: err instanceof Error ? err.message : String(err) });
        log(`  ${system.id} ${name} FAILED: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        if (nodes.some((node) => node.proc.exitCode !== null) || generator.proc.exitCode !== null) throw new Error('a process died');
        await generator.rpc('closeTo', { keep: 0, timeoutMs: 3000 }, 20_000).catch(() => undefined);
        continue;
      }
      if (options.verbose) log(`  ${system.id} ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const problems = await generator.rpc<{ unexpectedCloses: number; errors: number; first: string[] }>('problems');
    if (problems.unexpectedCloses || problems.errors) {
      measure = 'all';
      ctx.warn(`${problems.unexpectedCloses} unexpected closes, ${problems.errors} errors; first: ${problems.first.join(' | ')}`);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!failures.some((f) => f.system === system.id && f.run === run && f.measure === measure)) {
      failures.push({ system: system.id, run, measure, error: message });
    }
    log(`  ${system.id} run ${run}: ${message.split('\n').slice(0, 20).join('\n  ')}`);
  } finally {
    await generator?.stop();
    await Promise.all(nodes.map((node) => node.stop()));
    const purged = await redis?.purgeAndClose().catch((err: unknown) => {
      log(`  ${system.id}: could not delete the keys under ${redis!.prefix}: ${err instanceof Error ? err.message : String(err)}`);
      return 0;
    });
    if (options.verbose && redis) log(`  ${system.id}: deleted ${purged} keys under ${redis.prefix}`);
  }
  log(`  ${system.id} run ${run} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function main(): Promise<number> {
  const { profile, systems, measures, pin, verbose, profileUs } = parseArgs(process.argv.slice(2));
  const limits = openFileLimits();
  const needed = 2 * profile.idleClients + 1000;
  if (limits.hard < needed) {
    log(`bench: the hard open-file limit is ${limits.hard}; ${needed} are needed. Raise it (ulimit -Hn ${needed}) and run again.`);
    return 1;
  }
  // Children get a soft limit high enough for the clients; the runner's own stays as it is.
  const openFiles = limits.soft >= needed ? undefined : Math.min(limits.hard, Math.max(needed, 65_536));
  const pinning = pin && canPin([GENERATOR_CPU, SERVER_CPU]);
  const pinText =
    (pinning ? `server pinned to cpu ${SERVER_CPU}, generator to cpu ${GENERATOR_CPU}` : 'no core pinning (taskset unavailable or --no-pin)') +
    (profileUs === undefined ? '' : `; server CPU-profiled every ${profileUs} µs (--profile: its figures include the profiler's cost)`);
  log(`bench: ${profile.name}, ${profile.runs} run(s), systems: ${systems.map((s) => s.id).join(', ')}; ${pinText}`);

  const started = Date.now();
  const date = new Date().toISOString();
  const values: Values = {};
  const failures: Failure[] = [];
  const warnings: Warning[] = [];
  const notes: Note[] = [];
  for (let run = 1; run <= profile.runs; run++) {
    log(`run ${run}/${profile.runs}`);
    for (const system of systems) {
      await measureSystem(system, run, profile, { pin: pinning, verbose, measures, openFiles, profileUs }, values, failures, warnings, notes);
    }
  }
  const report = buildReport(
    {
      date,
      profile,
      machine: machine(),
      pinning: pinText,
      elapsedS: (Date.now() - started) / 1000,
      systems: [...systems],
      values,
      failures,
      warnings,
      notes,
    },
    SUBJECT,
  );
  const table = formatTable(report);
  process.stdout.write(`\n${table}\n`);
  const file = writeResults(new URL('../../bench/results/', import.meta.url), report, table);
  log(`\nresults: ${file}`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  },
);
