/** Stable `data.code` values of `error` envelopes. Clients branch on these, never on messages. */
export const ErrorCode = {
  BAD_FRAME: 'bad_frame',
  BAD_ENVELOPE: 'bad_envelope',
  UNKNOWN_ACTION: 'unknown_action',
  VALIDATION_FAILED: 'validation_failed',
  BAD_REQUEST: 'bad_request',
  FORBIDDEN: 'forbidden',
  UNAUTHENTICATED: 'unauthenticated',
  NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  RATE_LIMITED: 'rate_limited',
  TIMEOUT: 'timeout',
  INTERNAL: 'internal',
  TOO_LARGE: 'too_large',
  SESSION_EXPIRED: 'session_expired',
  OUTBOX_OVERFLOW: 'outbox_overflow',
  SESSION_LIMIT: 'session_limit',
  NOT_CONNECTED: 'not_connected',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
