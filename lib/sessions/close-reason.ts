/**
 * Why the session layer ends a link, named once here and mapped by each transport to its own
 * terms (WebSocket close code, gRPC status, HTTP status or SSE event): docs/transports.md.
 */
export const CloseReason = {
  /** The session ended on purpose (the client's `$bye`). Do not reconnect. */
  NORMAL: 'normal',
  /** The server is shutting down. Resume elsewhere or later. */
  SHUTDOWN: 'shutdown',
  /** No hello or first message within `handshakeTimeoutMs`. */
  HANDSHAKE_TIMEOUT: 'handshake_timeout',
  /** The client broke the protocol (e.g. too many frames before the welcome). */
  PROTOCOL_ERROR: 'protocol_error',
  /** An inbound frame passed `maxPayload`. */
  TOO_LARGE: 'too_large',
  /** The server failed (e.g. its broker did not answer). Resume. */
  INTERNAL_ERROR: 'internal_error',
  /** `maxSessions` reached: no session was created. Retry later. */
  SESSION_LIMIT: 'session_limit',
  /** A newer link resumed the session. Do not reconnect. */
  TAKEN_OVER: 'taken_over',
  /** Nothing received for `heartbeat.intervalMs + timeoutMs`. Resume. */
  HEARTBEAT_TIMEOUT: 'heartbeat_timeout',
  /** The outbox passed its limits: the session is lost. */
  OUTBOX_OVERFLOW: 'outbox_overflow',
  /** The session ended while connected (expired, its stored state lost, a goodbye elsewhere). */
  SESSION_ENDED: 'session_ended',
} as const;
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];
