/**
 * The close codes of docs/protocol.md §2 (WebSocket's, the vocabulary every client transport
 * reports link ends in), and what the client does after each once a connection was welcomed.
 */
export const CloseCode = {
  /** The session ended (the server's answer to a goodbye, or the server closed the session). */
  NORMAL: 1000,
  /** The server shuts down. */
  GOING_AWAY: 1001,
  /** Reported when a link ended without a close frame (or the client dropped it). */
  ABNORMAL: 1006,
  POLICY: 1008,
  TOO_LARGE: 1009,
  INTERNAL_ERROR: 1011,
  /** The server's session limit is reached: come back later, with backoff. */
  TRY_AGAIN_LATER: 1013,
  /** Another connection resumed the session. */
  TAKEN_OVER: 4000,
  HEARTBEAT_TIMEOUT: 4001,
  /** The session's outbox overflowed: the resume will be refused with `outbox_overflow`. */
  OUTBOX_OVERFLOW: 4002,
  /** The server ended the session (expired, a store failure, a goodbye on another connection). */
  SESSION_ENDED: 4003,
} as const;

/** `stop`: the session is over, no reconnect. `fresh`: reconnect, but for a new session. `resume`: reconnect and resume. */
export type AfterClose = 'stop' | 'fresh' | 'resume';

export function afterClose(code: number): AfterClose {
  if (code === CloseCode.NORMAL || code === CloseCode.TAKEN_OVER) return 'stop';
  if (code === CloseCode.SESSION_ENDED) return 'fresh';
  // 4002 included: the resume it asks for is refused, and the welcome then starts a fresh session.
  return 'resume';
}
