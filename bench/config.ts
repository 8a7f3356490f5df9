/** How much each measurement does, in the full run and in `--quick`. Every count and wait is bounded here. */
export interface Profile {
  name: 'full' | 'quick';
  /** Interleaved repetitions: run r starts every system once before run r+1 starts any. */
  runs: number;
  /** (e) set-up rate and (d) idle memory: clients opened, at most `connectConcurrency` handshakes at once. */
  idleClients: number;
  connectConcurrency: number;
  connectTimeoutMs: number;
  /** Pause after connecting, before the idle-memory reading. */
  settleMs: number;
  /** (c) fan-out: client counts, measured rounds per count, messages per round. */
  fanoutClients: number[];
  fanoutRounds: number;
  fanoutBurst: number;
  fanoutTimeoutMs: number;
  /**
   * (c2) single publish: measured rounds per client count, each one broadcast of one message, so
   * every delivery is acked on its own (no burst for one ack to cover). Same client counts as (c).
   */
  singleRounds: number;
  /**
   * The cluster section (issue 11): clients of its broadcasts (spread over the nodes), in bursts
   * of `fanoutBurst` (`fanoutRounds` rounds) and single publishes (`singleRounds`); its echoes use
   * `throughputShapes`.
   */
  clusterClients: number;
  /** (a) open-loop latency: connections, offered rates (msg/s), and duration per rate. */
  latencyConnections: number;
  latencyRates: number[];
  latencyMinMs: number;
  /** A rate runs long enough for at least this many samples (p999 needs thousands). */
  latencyMinSamples: number;
  latencyDrainMs: number;
  /** (b) closed-loop throughput: [connections, in flight per connection]; warm-up, then the measured window. */
  throughputShapes: Array<[number, number]>;
  throughputWarmMs: number;
  throughputWindowMs: number;
  drainMs: number;
}

export const FULL: Profile = {
  name: 'full',
  runs: 3,
  idleClients: 5000,
  connectConcurrency: 100,
  connectTimeoutMs: 60_000,
  settleMs: 1000,
  fanoutClients: [5000, 1000],
  fanoutRounds: 3,
  fanoutBurst: 10,
  fanoutTimeoutMs: 20_000,
  singleRounds: 5,
  clusterClients: 1000,
  latencyConnections: 50,
  latencyRates: [1000, 5000, 20_000],
  latencyMinMs: 4000,
  latencyMinSamples: 8000,
  latencyDrainMs: 3000,
  throughputShapes: [
    [50, 4],
    [500, 1],
  ],
  throughputWarmMs: 1000,
  throughputWindowMs: 3000,
  drainMs: 5000,
};

/** A smoke check: every system, every measurement, smaller and shorter (< 2 minutes in all). */
export const QUICK: Profile = {
  ...FULL,
  name: 'quick',
  runs: 1,
  idleClients: 2000,
  settleMs: 300,
  fanoutClients: [2000, 500],
  fanoutRounds: 1,
  fanoutBurst: 5,
  fanoutTimeoutMs: 10_000,
  singleRounds: 3,
  clusterClients: 500,
  latencyRates: [1000, 10_000],
  latencyMinMs: 1000,
  latencyMinSamples: 1500,
  latencyDrainMs: 1000,
  throughputWarmMs: 300,
  throughputWindowMs: 1000,
  drainMs: 3000,
};

export function latencyDurationMs(profile: Profile, rate: number): number {
  return Math.max(profile.latencyMinMs, Math.ceil((profile.latencyMinSamples / rate) * 1000));
}
