/** The client's options, their defaults, and their validation (all in one place). */
import { DuplexError } from '../envelope/duplex.error.js';
import { type EnvelopeData, ProtocolType } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { buildServerUrl, type QueryParams } from './server-url.js';
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
export interface DuplexClientOptions {
  /** `http(s)://host:port` or `ws(s)://host:port[/path]`. */
  serverUrl: string;
  /** Only `'websocket'` so far (the default). */
  protocolType?: ProtocolType;
  /** Appended when serverUrl has no path (default `/duplex`). */
  path?: string;
  /** Added to the URL's query, e.g. `{ token }`: browsers cannot set WebSocket headers. */
  query?: QueryParams;
  /** Default deadline of request(), and of opening a connection up to its welcome (default 10000). */
  requestTimeoutMs?: number;
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
  /** A WebSocket constructor to use instead of the global one or the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /** The random source of backoff jitter, in [0, 1) (default Math.random); for tests. */
  random?: () => number;
}

export interface ResolvedClientOptions {
  url: string;
  protocolType: ProtocolType;
  requestTimeoutMs: number;
  reconnect: Required<ReconnectOptions>;
  heartbeatTimeoutMs: number | undefined;
  outboxMaxMessages: number;
  WebSocket: WebSocketConstructor | undefined;
  random: () => number;
}

function positive(name: string, value: number, allowInfinity = false): number {
  const ok = allowInfinity ? value > 0 : value > 0 && Number.isFinite(value);
  if (typeof value !== 'number' || Number.isNaN(value) || !ok) {
    throw new DuplexError(ErrorCode.BAD_REQUEST, `Option ${name} must be a positive number (got ${String(value)})`);
  }
  return value;
}

export function resolveClientOptions(options: DuplexClientOptions): ResolvedClientOptions {
  const protocolType = options.protocolType ?? ProtocolType.WEBSOCKET;
  if (protocolType !== ProtocolType.WEBSOCKET) {
    throw new DuplexError(ErrorCode.BAD_REQUEST, `Option protocolType "${protocolType}" is not supported by the client yet; use "websocket"`);
  }
  const reconnect = options.reconnect ?? {};
  const baseMs = positive('reconnect.baseMs', reconnect.baseMs ?? 500);
  const maxMs = positive('reconnect.maxMs', reconnect.maxMs ?? 10_000);
  const maxAttempts = reconnect.maxAttempts ?? Infinity;
  if (!(maxAttempts >= 0)) {
    throw new DuplexError(ErrorCode.BAD_REQUEST, `Option reconnect.maxAttempts must be 0 or more (got ${String(maxAttempts)})`);
  }
  const maxMessages = positive('outbox.maxMessages', options.outbox?.maxMessages ?? 1000);
  return {
    url: buildServerUrl(options.serverUrl, options.path ?? '/duplex', options.query),
    protocolType,
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs ?? 10_000),
    reconnect: { baseMs, maxMs, maxAttempts, enabled: reconnect.enabled ?? true },
    heartbeatTimeoutMs:
      options.heartbeat?.timeoutMs === undefined ? undefined : positive('heartbeat.timeoutMs', options.heartbeat.timeoutMs),
    outboxMaxMessages: Math.floor(maxMessages),
    WebSocket: options.WebSocket,
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
