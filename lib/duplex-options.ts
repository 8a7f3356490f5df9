import type { Handshake } from './actions/duplex-context.js';
import { ProtocolType } from './envelope/envelope.js';
import type { ServerCredentials } from '@grpc/grpc-js';
import type { DuplexBroker } from './brokers/broker.js';
import type { RedisBrokerOptions } from './brokers/redis/redis.broker.js';

/**
 * Decides who a connection belongs to. Return the principal (any value but null/undefined) to
 * accept; return null/undefined or throw to reject (WebSocket: HTTP 401, no session created).
 */
export type AuthenticateFn = (handshake: Handshake) => unknown;

/** Options of `DuplexModule.forRoot()`. Every field is optional; defaults are in the README. @publicApi */
export interface DuplexModuleOptions {
  /** Transports to serve. Default: `['websocket']`. */
  protocols?: ProtocolType[];
  /** Called once per connection, on every transport. Default: everyone is accepted with principal `null`. */
  authenticate?: AuthenticateFn;
  /**
   * Longest wait for `authenticate` at a connection; past it the connection is refused
   * (WebSocket: HTTP 503) and closed. Default 10,000 ms.
   */
  authTimeoutMs?: number;
  /**
   * The identity a resume is bound to. Default: `principal.id`, else `principal.sub`, else the
   * principal's JSON. A resume by a principal with another identity is refused.
   */
  identify?: (principal: unknown) => string;
  /**
   * Where sessions, outboxes, de-duplication state and rooms live, and how nodes reach each other.
   * Default: a MemoryBroker of this app alone. Apps (nodes) sharing one broker share their sessions:
   * `{ redis: 'redis://…', keyPrefix? }` makes a RedisBroker that the module opens and closes with
   * the app; a broker instance you pass (`new RedisBroker(…)`, a shared `MemoryBroker`) is yours to close.
   */
  broker?: DuplexBroker | RedisBrokerOptions;
  /** Largest inbound message in bytes, on every transport (WebSocket: larger closes with 1009). Default 1 MiB. */
  maxPayload?: number;
  websocket?: {
    /** URL path on the app's HTTP server. Default `/duplex`. */
    path?: string;
    /** Default false (it costs memory per connection). */
    perMessageDeflate?: boolean;
    /** Bytes buffered in a socket before the outbox stops writing to it. Default 1 MiB. */
    highWaterMark?: number;
  };
  /** The gRPC transport (served when `protocols` includes `'grpc'`). */
  grpc?: {
    /** `host:port` to listen on (port 0: any free port). Default `0.0.0.0:50051`. */
    url?: string;
    /** TLS and the like. Default: insecure (plain HTTP/2). */
    credentials?: ServerCredentials;
    /** Bytes written to a call and not yet taken by HTTP/2 before the outbox stops writing to it. Default 1 MiB. */
    highWaterMark?: number;
    /** HTTP/2 pings: every `timeMs` (default 30,000); a ping unanswered for `timeoutMs` (default 10,000) drops the connection. */
    keepalive?: { timeMs?: number; timeoutMs?: number };
  };
  /** The HTTP transports (served when `protocols` includes `'sse'` or `'long-polling'`): docs/protocol.md §2c. */
  http?: {
    /** Path of the HTTP endpoints on the app's own server (`{prefix}/session`, `/messages`, `/poll`, `/sse`, `/negotiate`). Default `/duplex`. */
    prefix?: string;
    /** How long a poll is held when nothing is queued (a client may ask for another wait with `wait_ms`, up to 60 s). Default 25,000 ms. */
    pollTimeoutMs?: number;
    /**
     * CORS for the endpoints, preflight included: `true` allows any origin (without credentials),
     * a list allows those origins (with credentials). Default false (no CORS headers).
     */
    cors?: boolean | string[];
  };
  /** A connection that sends nothing within this time is closed (1008). Default 10,000 ms. */
  handshakeTimeoutMs?: number;
  /** Default timeout of `DuplexService.request()`. Default 10,000 ms. */
  requestTimeoutMs?: number;
  heartbeat?: { intervalMs?: number; timeoutMs?: number };
  /** When each side acknowledges: after `intervalMs` or `maxMessages` un-acked messages. */
  ack?: { intervalMs?: number; maxMessages?: number };
  session?: {
    /** How long a session without a connection is kept for a resume. Default 120,000 ms. */
    ttlMs?: number;
    /** Sessions the broker holds at most (connected or waiting for a resume); past it new ones are refused. Default 100,000. */
    maxSessions?: number;
  };
  outbox?: {
    /** Un-acked messages a session may hold. Default 10,000. */
    maxMessages?: number;
    /** Characters of un-acked JSON a session may hold. Default 8 MiB. */
    maxBytes?: number;
    /** Messages per replay batch. Default 256. */
    replayBatch?: number;
  };
  /** Request ids remembered per session to run a retried request once. Default 1,024. */
  dedupWindow?: number;
  /** Handlers of one session that may run at once; past it the link is not read until half finish. Default 256. */
  maxInflight?: number;
}

/** Options after defaults and validation: the one shape the rest of the library reads. */
export interface ResolvedDuplexOptions {
  protocols: ReadonlySet<ProtocolType>;
  authenticate: AuthenticateFn | undefined;
  authTimeoutMs: number;
  identify: (principal: unknown) => string;
  /** A broker instance the app passed (not closed by the module). */
  broker: DuplexBroker | undefined;
  /** Options of a RedisBroker the module makes (and closes). */
  redis: RedisBrokerOptions | undefined;
  maxPayload: number;
  websocket: { path: string; perMessageDeflate: boolean; highWaterMark: number };
  grpc: { url: string; credentials: ServerCredentials | undefined; highWaterMark: number; keepalive: { timeMs: number; timeoutMs: number } };
  http: ResolvedHttpOptions;
  handshakeTimeoutMs: number;
  requestTimeoutMs: number;
  heartbeat: { intervalMs: number; timeoutMs: number };
  ack: { intervalMs: number; maxMessages: number };
  session: { ttlMs: number; maxSessions: number };
  outbox: { maxMessages: number; maxBytes: number; replayBatch: number };
  dedupWindow: number;
  maxInflight: number;
}

export interface ResolvedHttpOptions {
  /** Starts with "/", never ends with one. */
  prefix: string;
  pollTimeoutMs: number;
  /** `'*'`: any origin, no credentials; a list: those origins, with credentials; false: no CORS headers. */
  cors: false | '*' | readonly string[];
}
