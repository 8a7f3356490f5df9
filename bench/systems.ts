/**
 * Every measurement, in the order they run on each (system, run); `--measures=` picks some. The
 * cluster section runs only on the systems that list it (SystemSpec.measures).
 */
export const MEASURES = ['connect', 'fanout', 'fanout-single', 'latency', 'throughput', 'cluster'] as const;
export type MeasureName = (typeof MEASURES)[number];
/** What a system takes part in when its spec names no measures: everything but the cluster section. */
const GENERAL_MEASURES: readonly MeasureName[] = MEASURES.filter((m) => m !== 'cluster');

/**
 * The systems under test, one entry each: which server entry to start (bench/servers) and which
 * client adapter drives it (bench/load/adapters). Adding a transport of nest-duplex later is one
 * entry here plus its adapter, e.g.
 *   { id: 'nest-duplex-sse', server: 'nest-duplex.server.js', adapter: 'duplex-sse', ... }
 */
export interface SystemSpec {
  /** Column name in the table and key in the JSON. */
  id: string;
  /** One line saying what it is. */
  label: string;
  /** File under dist/bench/servers. */
  server: string;
  serverArgs?: string[];
  /** Key in bench/load/adapters/index.ts. */
  adapter: string;
  /**
   * Which port of the server's READY line the adapter connects to: a name the server reports
   * (`READY <port> grpc=<port>`, SystemServer.ports). The first port when absent.
   */
  port?: string;
  /**
   * Most clients one generator process can hold for this system; larger client counts are
   * skipped (shown as "–", with the reason under the table) instead of measuring the generator.
   */
  maxClients?: { count: number; reason: string };
  /** The measures this system takes part in; every measure but `cluster` when absent. */
  measures?: readonly MeasureName[];
  /**
   * Server processes sharing one broker (default 1). The generator spreads its clients over them
   * in turn; broadcasts are issued on the first; server CPU is summed over all of them.
   */
  nodes?: number;
  /**
   * The system's broker is Redis (`--redis`): the runner checks `REDIS_URL` answers before starting
   * it (unreachable is a failure, never a skip), gives its nodes one key prefix of their own
   * (BENCH_REDIS_PREFIX), reads Redis's own CPU around each measured window and deletes the
   * prefix's keys afterwards.
   */
  redis?: boolean;
}

/** The measures of a system (SystemSpec.measures, or every measure but the cluster section). */
export const measuresOf = (system: SystemSpec): readonly MeasureName[] => system.measures ?? GENERAL_MEASURES;

/**
 * The HTTP systems' cap, socketio-poll's: their clients pay the same per-request fetch cost in the
 * one generator process (a POST per echo batch, a GET per poll answer, a stream read per SSE event)
 * and open at a rate of the same order, so past ~2,000 clients the generator measures itself.
 */
const HTTP_MAX_CLIENTS = {
  count: 2000,
  reason: 'one generator core drives every HTTP client over fetch (a POST per echo batch, a GET per poll answer or a stream per client), as for socketio-poll; past ~2,000 clients it measures itself',
};

export const SYSTEMS: readonly SystemSpec[] = [
  { id: 'net', label: 'node:net TCP echo, newline-framed (the floor)', server: 'net.server.js', adapter: 'net' },
  { id: 'ws', label: 'raw ws 8 echo server; broadcast loops one pre-serialised string', server: 'ws.server.js', adapter: 'ws' },
  { id: 'socketio-ws', label: 'Socket.IO 4.8, websocket transport, echo via ack, io.emit', server: 'socketio.server.js', adapter: 'socketio-ws' },
  {
    id: 'socketio-poll',
    label: 'Socket.IO 4.8, HTTP long-polling (fetch, keep-alive)',
    server: 'socketio.server.js',
    adapter: 'socketio-polling',
    maxClients: {
      count: 2000,
      reason:
        'one generator core saturates near 350 polling clients connected/s and one HTTP request per delivery; past ~2,000 clients it measures itself (and undici keep-alive races show up as transport errors)',
    },
  },
  { id: 'nest-ws', label: 'Nest 12 gateway on @nestjs/platform-ws, {event,data} frames', server: 'nest-ws.server.js', adapter: 'nest-ws' },
  {
    id: 'duplex-ws',
    label: 'nest-duplex over WebSocket, delivery on (seq + acks)',
    server: 'nest-duplex.server.js',
    adapter: 'duplex-ws',
    // Also the cluster section's baseline: one node on the memory broker.
    measures: [...GENERAL_MEASURES, 'cluster'],
  },
  // Scale-out over Redis (issue 11): the same app on the Redis broker, one node and two.
  {
    id: 'duplex-ws-redis',
    label: 'nest-duplex over WebSocket on the Redis broker (REDIS_URL), one node',
    server: 'nest-duplex.server.js',
    serverArgs: ['--redis'],
    adapter: 'duplex-ws',
    measures: ['cluster'],
    redis: true,
  },
  {
    id: 'duplex-ws-redis-2n',
    label: 'nest-duplex over WebSocket on the Redis broker, two nodes: clients split over both, broadcasts issued on the first',
    server: 'nest-duplex.server.js',
    serverArgs: ['--redis'],
    adapter: 'duplex-ws',
    measures: ['cluster'],
    nodes: 2,
    redis: true,
  },
  { id: 'grpc', label: 'raw @grpc/grpc-js bidi-stream echo on proto/duplex.proto; broadcast writes one pre-built message to every call', server: 'grpc.server.js', adapter: 'grpc' },
  {
    id: 'duplex-grpc',
    label: 'nest-duplex over gRPC (its own port), delivery on (seq + acks)',
    server: 'nest-duplex.server.js',
    serverArgs: ['--grpc'],
    adapter: 'duplex-grpc',
    port: 'grpc',
  },
  // The HTTP transports (issue 10) and their floor. Every echo is a POST and every poll answer a
  // GET over fetch (one generator core, as for socketio-poll), so they share its client cap.
  { id: 'http-sse', label: 'raw node:http: POST echoed as an SSE event (the floor for duplex-sse)', server: 'http.server.js', adapter: 'http-sse', maxClients: HTTP_MAX_CLIENTS },
  { id: 'http-lp', label: 'raw node:http: POST echoed into a held long-poll (the floor for duplex-lp)', server: 'http.server.js', adapter: 'http-lp', maxClients: HTTP_MAX_CLIENTS },
  {
    id: 'duplex-sse',
    label: 'nest-duplex over SSE (POST up, event stream down), delivery on (seq + acks by POST)',
    server: 'nest-duplex.server.js',
    serverArgs: ['--http'],
    adapter: 'duplex-sse',
    maxClients: HTTP_MAX_CLIENTS,
  },
  {
    id: 'duplex-lp',
    label: 'nest-duplex over long-polling (POST up, held GET down; the poll cursor acks)',
    server: 'nest-duplex.server.js',
    serverArgs: ['--http'],
    adapter: 'duplex-lp',
    maxClients: HTTP_MAX_CLIENTS,
  },
];

/** The cluster section's subjects (issue 11) and their baseline, one node on the memory broker. */
export const CLUSTER = { memory: 'duplex-ws', redis: 'duplex-ws-redis', redis2n: 'duplex-ws-redis-2n' } as const;

/** The system the targets are about, unless a target names its own (the gRPC ones: duplex-grpc). */
export const SUBJECT = 'duplex-ws';
