import { type DuplexModuleOptions, type ResolvedDuplexOptions } from './duplex-options.js';
import { ProtocolType } from './envelope/envelope.js';
import { INVALID_OPTION, UNKNOWN_OPTION } from './duplex.messages.js';
import { resolveHttpOptions } from './duplex-options.http.js';
import type { DuplexBroker } from './brokers/broker.js';
import type { RedisBrokerOptions } from './brokers/redis/redis.broker.js';
import { DUPLEX_OPTION_KEYS } from './duplex-options.keys.js';
import { checkRedisBrokerOptions } from './brokers/redis/redis-broker.options-check.js';
import { findUnknownOption } from './envelope/option-keys.js';

const MIB = 1024 * 1024;
const KNOWN_PROTOCOLS = new Set<string>(Object.values(ProtocolType));
const IMPLEMENTED_PROTOCOLS = new Set<string>([ProtocolType.WEBSOCKET, ProtocolType.GRPC, ProtocolType.SSE, ProtocolType.LONG_POLLING]);
/** setTimeout fires at once (1 ms) for any longer delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function positiveInt(value: number | undefined, fallback: number, option: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new Error(INVALID_OPTION(option, value, max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `a positive integer up to ${max}`));
  }
  return value;
}

function defaultIdentify(principal: unknown): string {
  if (principal === null || principal === undefined) return '';
  if (typeof principal === 'object') {
    const record = principal as Record<string, unknown>;
    for (const key of ['id', 'sub']) {
      const value = record[key];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
    }
  }
  return JSON.stringify(principal);
}

function isRedisOptions(value: unknown): value is RedisBrokerOptions {
  if (typeof value !== 'object' || value === null) return false;
  const redis = (value as { redis?: unknown }).redis;
  return (typeof redis === 'string' && /^rediss?:\/\//.test(redis)) || (typeof redis === 'object' && redis !== null);
}

function isBroker(value: unknown): value is DuplexBroker {
  if (typeof value !== 'object' || value === null) return false;
  const b = value as Record<string, unknown>;
  return ['sessions', 'outbox', 'inbound', 'rooms', 'bus'].every((part) => typeof b[part] === 'object' && b[part] !== null);
}

/** Applies the defaults (the only place they live) and validates every option, naming the bad one. */
export function resolveDuplexOptions(options: DuplexModuleOptions = {}): ResolvedDuplexOptions {
  const unknown = findUnknownOption(options, DUPLEX_OPTION_KEYS);
  if (unknown !== undefined) throw new Error(UNKNOWN_OPTION(unknown.path, unknown.known));
  const protocols = options.protocols ?? [ProtocolType.WEBSOCKET];
  if (!Array.isArray(protocols) || protocols.length === 0) {
    throw new Error(INVALID_OPTION('protocols', protocols, `a non-empty array of ${[...KNOWN_PROTOCOLS].join(', ')}`));
  }
  for (const protocol of protocols) {
    if (!KNOWN_PROTOCOLS.has(protocol)) {
      throw new Error(INVALID_OPTION('protocols', protocol, `one of ${[...KNOWN_PROTOCOLS].join(', ')}`));
    }
    if (!IMPLEMENTED_PROTOCOLS.has(protocol)) {
      throw new Error(INVALID_OPTION('protocols', protocol, `a transport this version serves (${[...IMPLEMENTED_PROTOCOLS].join(', ')})`));
    }
  }
  for (const fn of ['authenticate', 'identify'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function') {
      throw new Error(INVALID_OPTION(fn, options[fn], 'a function'));
    }
  }
  const perMessageDeflate = options.websocket?.perMessageDeflate ?? false;
  if (typeof perMessageDeflate !== 'boolean') throw new Error(INVALID_OPTION('websocket.perMessageDeflate', perMessageDeflate, 'true or false'));
  const path = options.websocket?.path ?? '/duplex';
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?')) {
    throw new Error(INVALID_OPTION('websocket.path', path, 'a URL path starting with "/"'));
  }
  const heartbeat = {
    intervalMs: positiveInt(options.heartbeat?.intervalMs, 25_000, 'heartbeat.intervalMs', MAX_TIMER_MS),
    timeoutMs: positiveInt(options.heartbeat?.timeoutMs, 20_000, 'heartbeat.timeoutMs', MAX_TIMER_MS),
  };
  const grpcUrl = options.grpc?.url ?? '0.0.0.0:50051';
  if (typeof grpcUrl !== 'string' || !/^(\[[0-9a-fA-F:.]+\]|[^:/\s]+):\d{1,5}$/.test(grpcUrl)) {
    throw new Error(INVALID_OPTION('grpc.url', grpcUrl, '"host:port", e.g. "0.0.0.0:50051"'));
  }
  const brokerOption = options.broker;
  const broker = isBroker(brokerOption) ? brokerOption : undefined;
  const redis = broker === undefined && isRedisOptions(brokerOption) ? brokerOption : undefined;
  if (brokerOption !== undefined && broker === undefined && redis === undefined) {
    throw new Error(INVALID_OPTION('broker', brokerOption, "a DuplexBroker (e.g. new MemoryBroker()) or { redis: 'redis://…' }"));
  }
  if (redis !== undefined) checkRedisBrokerOptions(redis, 'DuplexModule, option "broker"');
  if ((options.websocket as { maxPayload?: unknown } | undefined)?.maxPayload !== undefined) {
    throw new Error(INVALID_OPTION('websocket.maxPayload', (options.websocket as { maxPayload?: unknown }).maxPayload, 'nothing: the limit is now the top-level "maxPayload", shared by every transport'));
  }
  return {
    protocols: new Set(protocols),
    authenticate: options.authenticate,
    authTimeoutMs: positiveInt(options.authTimeoutMs, 10_000, 'authTimeoutMs', MAX_TIMER_MS),
    identify: options.identify ?? defaultIdentify,
    broker,
    redis,
    maxPayload: positiveInt(options.maxPayload, MIB, 'maxPayload'),
    websocket: {
      path,
      perMessageDeflate,
      highWaterMark: positiveInt(options.websocket?.highWaterMark, MIB, 'websocket.highWaterMark'),
    },
    grpc: {
      url: grpcUrl,
      credentials: options.grpc?.credentials,
      highWaterMark: positiveInt(options.grpc?.highWaterMark, MIB, 'grpc.highWaterMark'),
      keepalive: {
        timeMs: positiveInt(options.grpc?.keepalive?.timeMs, 30_000, 'grpc.keepalive.timeMs', MAX_TIMER_MS),
        timeoutMs: positiveInt(options.grpc?.keepalive?.timeoutMs, 10_000, 'grpc.keepalive.timeoutMs', MAX_TIMER_MS),
      },
    },
    http: resolveHttpOptions(options.http),
    handshakeTimeoutMs: positiveInt(options.handshakeTimeoutMs, 10_000, 'handshakeTimeoutMs', MAX_TIMER_MS),
    requestTimeoutMs: positiveInt(options.requestTimeoutMs, 10_000, 'requestTimeoutMs', MAX_TIMER_MS),
    heartbeat,
    ack: {
      intervalMs: positiveInt(options.ack?.intervalMs, 50, 'ack.intervalMs', MAX_TIMER_MS),
      maxMessages: positiveInt(options.ack?.maxMessages, 32, 'ack.maxMessages'),
    },
    session: {
      ttlMs: positiveInt(options.session?.ttlMs, 120_000, 'session.ttlMs', MAX_TIMER_MS),
      maxSessions: positiveInt(options.session?.maxSessions, 100_000, 'session.maxSessions'),
    },
    outbox: {
      maxMessages: positiveInt(options.outbox?.maxMessages, 10_000, 'outbox.maxMessages'),
      maxBytes: positiveInt(options.outbox?.maxBytes, 8 * MIB, 'outbox.maxBytes'),
      replayBatch: positiveInt(options.outbox?.replayBatch, 256, 'outbox.replayBatch'),
    },
    dedupWindow: positiveInt(options.dedupWindow, 1024, 'dedupWindow'),
    maxInflight: positiveInt(options.maxInflight, 256, 'maxInflight'),
  };
}
