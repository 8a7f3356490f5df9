/** The client's options, their defaults, and their validation (all in one place). */
import type { ChannelCredentials } from '@grpc/grpc-js';
import { DuplexError } from '../envelope/duplex.error.js';
import { type EnvelopeData, ProtocolType } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { findUnknownOption, type OptionKeys } from '../envelope/option-keys.js';
import { parseServerUrl, type QueryParams, type ServerBase } from './server-url.js';
import type { EventSourceConstructor, FetchLike } from './transports/http-like.js';
import type { WebSocketConstructor } from './transports/websocket-like.js';

/** @publicApi */
export interface ReconnectOptions {
  /** First backoff ceiling in ms (default 500). */
  baseMs?: number;
  /** Largest backoff ceiling in ms (default 10000). */
  maxMs?: number;
  /** Attempts after a lost connection before giving up (default Infinity). */
  maxAttempts?: number;
  /** Reconnect at all after an unexpected close (default true). */
  enabled?: boolean;
}

/** @publicApi */
export interface ConnectOptions {
  /**
   * How many more times connect() tries after its first attempt failed, waiting the `reconnect`
   * backoff in between (default 0: connect() reports the first failure). A `refused` attempt is
   * never retried, except when the server's session limit was reached.
   */
  retries?: number;
}

/** @publicApi */
export interface WebSocketTransportOptions {
  /** Appended to an `http(s)://` serverUrl, or to a `ws(s)://` one without a path (default `/duplex`). */
  path?: string;
  /** A WebSocket constructor to use instead of the global one or the `ws` package. */
  WebSocket?: WebSocketConstructor;
}

/**
 * The gRPC transport (Node only): one bidirectional `Connect` call of proto/duplex.proto per link.
 * @publicApi
 */
export interface GrpcTransportOptions {
  /** The server's gRPC `host:port` (default: that of a `grpc://host:port` serverUrl). */
  address?: string;
  /**
   * Sent with every call: the server's `authenticate` hook reads it as the handshake's headers
   * (e.g. `{ authorization: 'Bearer …' }`). Keys are lower-cased; values are ASCII text.
   */
  metadata?: Record<string, string>;
  /** TLS or other channel credentials (default: insecure, plain HTTP/2). */
  credentials?: ChannelCredentials;
}

/** @publicApi */
export interface HttpTransportOptions {
  /** The server's HTTP prefix (its `http.prefix`), appended to an `http(s)://` serverUrl (default `/duplex`). */
  path?: string;
  /** A fetch to use instead of the global one (tests, a proxy agent, extra headers). */
  fetch?: FetchLike;
  /**
   * An EventSource constructor for SSE instead of the global one. Without either, SSE reads the
   * stream with `fetch` (Node 20 has no EventSource).
   */
  EventSource?: EventSourceConstructor;
  /** How long a long-poll may be held by the server, in ms (default: the server's `http.pollTimeoutMs`). */
  pollWaitMs?: number;
}

/** @publicApi */
export interface DuplexClientOptions {
  /**
   * `http(s)://host:port[/base]`: the base of every transport (WebSocket connects to
   * `ws(s)://host:port[/base]/duplex`). A `ws(s)://host:port[/path]` URL is accepted for WebSocket,
   * and a `grpc://host:port` URL for gRPC (each then serves that transport only).
   */
  serverUrl: string;
  /**
   * The transports to try, in order of preference: the next one is tried when a server is
   * unreachable or blocked over the previous one (default: per `protocolType`; `['grpc']` for a
   * `grpc://` serverUrl). One that this build or platform lacks is skipped; alone, it is an error here.
   */
  transports?: ProtocolType[];
  /**
   * Shorthand for `transports: [protocolType]`. `'auto'` asks the server which transports it
   * serves (`negotiate`) and tries WebSocket, then SSE, then long-polling. Default: `'auto'` in a
   * browser page, `'websocket'` elsewhere.
   */
  protocolType?: ProtocolType | 'auto';
  /**
   * How long one transport may take to be welcomed before the next candidate is tried (default
   * 2500: a transport that hangs gives way to the next within 3 s). The last candidate of an
   * attempt gets `requestTimeoutMs`.
   */
  transportTimeoutMs?: number;
  websocket?: WebSocketTransportOptions;
  /** SSE and long-polling. */
  http?: HttpTransportOptions;
  grpc?: GrpcTransportOptions;
  /** @deprecated Use `websocket.path`. */
  path?: string;
  /** @deprecated Use `websocket.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Added to the URL's query, e.g. `{ token }`: browsers cannot set WebSocket headers. */
  query?: QueryParams;
  /** Default deadline of request(), and of opening a connection up to its welcome (default 10000). */
  requestTimeoutMs?: number;
  connect?: ConnectOptions;
  reconnect?: ReconnectOptions;
  heartbeat?: {
    /**
     * Overrides the welcome's `heartbeat.timeout_ms` on this side: the link counts as dead after the
     * server's `interval_ms` plus this much silence. A shorter value notices a silent partition sooner
     * than the server does (default: the welcome's value).
     */
    timeoutMs?: number;
  };
  outbox?: {
    /** Messages waiting for the server (queued offline or sent but un-acked), at most (default 1000). */
    maxMessages?: number;
  };
  /** The random source of backoff jitter, in [0, 1) (default Math.random); for tests. */
  random?: () => number;
}

/** What the transports read: the server base, the query, and each transport's own group. */
export interface ResolvedTransportOptions {
  server: ServerBase;
  query: QueryParams | undefined;
  websocket: { path: string; WebSocket: WebSocketConstructor | undefined };
  http: { path: string; fetch: FetchLike | undefined; EventSource: EventSourceConstructor | undefined; pollWaitMs: number | undefined };
  grpc: ResolvedGrpcOptions;
}

export interface ResolvedGrpcOptions {
  /** undefined: no gRPC server was named, the transport cannot run. */
  address: string | undefined;
  metadata: Readonly<Record<string, string>>;
  credentials: ChannelCredentials | undefined;
}

export interface ResolvedClientOptions {
  /** Requested, in order of preference; which of them can run is the selector's business. */
  transports: ProtocolType[];
  /** `auto`: each attempt asks the server's negotiate endpoint which of `transports` it serves. */
  negotiate: boolean;
  transportTimeoutMs: number;
  transportOptions: ResolvedTransportOptions;
  requestTimeoutMs: number;
  connectRetries: number;
  reconnect: Required<ReconnectOptions>;
  heartbeatTimeoutMs: number | undefined;
  outboxMaxMessages: number;
  random: () => number;
}

export const DEFAULT_TRANSPORTS: readonly ProtocolType[] = [ProtocolType.WEBSOCKET];
/** What `auto` tries, in this order (negotiate drops those the server does not serve). */
export const AUTO_TRANSPORTS: readonly ProtocolType[] = [ProtocolType.WEBSOCKET, ProtocolType.SSE, ProtocolType.LONG_POLLING];

/**
 * In a page a proxy may strip WebSocket upgrades, and the HTTP transports cost nothing extra to
 * carry: `auto` is the default there. Elsewhere (Node) the default stays WebSocket.
 */
function inBrowserPage(): boolean {
  return typeof (globalThis as { document?: unknown }).document === 'object';
}

function fail(message: string): never {
  throw new DuplexError(ErrorCode.BAD_REQUEST, message);
}

function positive(name: string, value: number, allowInfinity = false): number {
  const ok = allowInfinity ? value > 0 : value > 0 && Number.isFinite(value);
  if (typeof value !== 'number' || Number.isNaN(value) || !ok) fail(`Option ${name} must be a positive number (got ${String(value)})`);
  return value;
}

function countOrInfinity(name: string, value: number): number {
  if (!(value >= 0)) fail(`Option ${name} must be 0 or more (got ${String(value)})`);
  return value;
}

const KNOWN_TRANSPORTS: ReadonlySet<string> = new Set(Object.values(ProtocolType));

function resolveTransports({ transports, protocolType }: DuplexClientOptions, server: ServerBase): { transports: ProtocolType[]; negotiate: boolean } {
  if (transports !== undefined && protocolType !== undefined) {
    fail('Give either option transports (a list) or protocolType (one transport), not both');
  }
  if (transports === undefined && (protocolType === undefined || protocolType === 'auto') && server.grpcAddress !== undefined) {
    // A grpc:// serverUrl serves nothing else.
    return { transports: [ProtocolType.GRPC], negotiate: false };
  }
  const auto = protocolType === 'auto' || (transports === undefined && protocolType === undefined && inBrowserPage());
  if (auto) return { transports: [...AUTO_TRANSPORTS], negotiate: true };
  if (transports === undefined && protocolType === undefined) return { transports: [...DEFAULT_TRANSPORTS], negotiate: false };
  const option = transports === undefined ? 'protocolType' : 'transports';
  const list: unknown = transports ?? [protocolType];
  if (!Array.isArray(list) || list.length === 0) fail('Option transports must be a non-empty list, e.g. ["websocket"]');
  const known = [...KNOWN_TRANSPORTS].map((t) => `"${t}"`).join(', ');
  list.forEach((name: unknown, index) => {
    if (typeof name !== 'string' || !KNOWN_TRANSPORTS.has(name)) fail(`Option ${option} names an unknown transport "${String(name)}" (known: ${known})`);
    if (list.indexOf(name) !== index) fail(`Option transports lists "${name}" twice`);
  });
  return { transports: [...(list as ProtocolType[])], negotiate: false };
}

/** What gRPC accepts in text metadata: lower-case keys of [0-9a-z_.-] (`-bin` ones carry bytes), printable ASCII values. */
const METADATA_KEY = /^[0-9a-z_.-]+$/;
const METADATA_VALUE = /^[\x20-\x7e]*$/;

function resolveGrpc(grpc: GrpcTransportOptions | undefined, server: ServerBase): ResolvedGrpcOptions {
  const address = grpc?.address ?? server.grpcAddress;
  if (address !== undefined && (typeof address !== 'string' || !/^\S+$/.test(address) || address.includes('://'))) {
    fail(`Option grpc.address must be "host:port", e.g. "localhost:50051" (got ${JSON.stringify(address)})`);
  }
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(grpc?.metadata ?? {})) {
    const key = name.toLowerCase();
    if (!METADATA_KEY.test(key) || key.endsWith('-bin')) fail(`Option grpc.metadata has a key gRPC cannot send as text: "${name}"`);
    if (typeof value !== 'string' || !METADATA_VALUE.test(value)) fail(`Option grpc.metadata.${name} must be printable ASCII text`);
    metadata[key] = value;
  }
  return { address, metadata, credentials: grpc?.credentials };
}

/** Every key `DuplexClientOptions` has: anything else is refused by name. */
const CLIENT_OPTION_KEYS: OptionKeys = {
  serverUrl: true,
  transports: true,
  protocolType: true,
  transportTimeoutMs: true,
  websocket: { path: true, WebSocket: true },
  http: { path: true, fetch: true, EventSource: true, pollWaitMs: true },
  grpc: { address: true, metadata: true, credentials: true },
  path: true,
  WebSocket: true,
  query: true,
  requestTimeoutMs: true,
  connect: { retries: true },
  reconnect: { baseMs: true, maxMs: true, maxAttempts: true, enabled: true },
  heartbeat: { timeoutMs: true },
  outbox: { maxMessages: true },
  random: true,
};

export function resolveClientOptions(options: DuplexClientOptions): ResolvedClientOptions {
  const unknown = findUnknownOption(options, CLIENT_OPTION_KEYS);
  if (unknown !== undefined) fail(`Unknown option ${unknown.path}; the options at that level are ${unknown.known.join(', ')}`);
  const reconnect = options.reconnect ?? {};
  const baseMs = positive('reconnect.baseMs', reconnect.baseMs ?? 500);
  const maxMs = positive('reconnect.maxMs', reconnect.maxMs ?? 10_000);
  const maxAttempts = countOrInfinity('reconnect.maxAttempts', reconnect.maxAttempts ?? Infinity);
  const maxMessages = positive('outbox.maxMessages', options.outbox?.maxMessages ?? 1000);
  const http = options.http ?? {};
  const server = parseServerUrl(options.serverUrl);
  return {
    ...resolveTransports(options, server),
    transportTimeoutMs: positive('transportTimeoutMs', options.transportTimeoutMs ?? 2500),
    transportOptions: {
      server,
      query: options.query,
      // The top-level names came first and stay as aliases; the group wins.
      websocket: { path: options.websocket?.path ?? options.path ?? '/duplex', WebSocket: options.websocket?.WebSocket ?? options.WebSocket },
      http: {
        path: http.path ?? '/duplex',
        fetch: http.fetch,
        EventSource: http.EventSource,
        pollWaitMs: http.pollWaitMs === undefined ? undefined : positive('http.pollWaitMs', http.pollWaitMs),
      },
      grpc: resolveGrpc(options.grpc, server),
    },
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs ?? 10_000),
    connectRetries: Math.floor(countOrInfinity('connect.retries', options.connect?.retries ?? 0)),
    reconnect: { baseMs, maxMs, maxAttempts, enabled: reconnect.enabled ?? true },
    heartbeatTimeoutMs:
      options.heartbeat?.timeoutMs === undefined ? undefined : positive('heartbeat.timeoutMs', options.heartbeat.timeoutMs),
    outboxMaxMessages: Math.floor(maxMessages),
    random: options.random ?? Math.random,
  };
}

/** @publicApi */
export interface SendMessageInput {
  action: string;
  data?: EnvelopeData;
}

/** @publicApi */
export interface RequestOptions {
  /** Overrides `requestTimeoutMs`; counts from the call, offline time included. */
  timeoutMs?: number;
}
