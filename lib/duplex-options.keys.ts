import type { OptionKeys } from './envelope/option-keys.js';

/** Every key `DuplexModuleOptions` has (lib/duplex-options.ts): anything else is refused by name. */
export const DUPLEX_OPTION_KEYS: OptionKeys = {
  protocols: true,
  authenticate: true,
  authTimeoutMs: true,
  identify: true,
  broker: true,
  maxPayload: true,
  // maxPayload: known here so that its own message (it moved to the top level) is the one given.
  websocket: { path: true, perMessageDeflate: true, highWaterMark: true, maxPayload: true },
  grpc: { url: true, credentials: true, highWaterMark: true, keepalive: { timeMs: true, timeoutMs: true } },
  http: { prefix: true, pollTimeoutMs: true, cors: true },
  handshakeTimeoutMs: true,
  requestTimeoutMs: true,
  heartbeat: { intervalMs: true, timeoutMs: true },
  ack: { intervalMs: true, maxMessages: true },
  session: { ttlMs: true, maxSessions: true },
  outbox: { maxMessages: true, maxBytes: true, replayBatch: true },
  dedupWindow: true,
  maxInflight: true,
};
