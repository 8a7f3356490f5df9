/**
 * Why an attempt to open a connection failed, as far as the client can tell. The class decides
 * what happens next: the selector moves on to the next transport after `unreachable` or `blocked`,
 * and nothing retries a `refused` one (except the server's "not now", see isRetryable).
 */
import { DuplexError } from '../../envelope/duplex.error.js';
import type { ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';

/** @publicApi */
export const TransportFailure = {
  /** The server answered and said no: HTTP 401/403 at the upgrade, or an error answering the hello. */
  REFUSED: 'refused',
  /** Nothing answered: connection refused, DNS failure, or the deadline passed before any answer. */
  UNREACHABLE: 'unreachable',
  /** Something answered, but not our transport: another HTTP status, or the link closed before the welcome. */
  BLOCKED: 'blocked',
} as const;
/** @publicApi */
export type TransportFailure = (typeof TransportFailure)[keyof typeof TransportFailure];

/**
 * A `refused` failure is final, unless the server only asked to come back later: `session_limit`
 * (the `error` answering the hello, or close code 1013) is retried with backoff all the same.
 */
export function isRetryable(failure: TransportFailure, error: DuplexError): boolean {
  return failure !== TransportFailure.REFUSED || error.code === ErrorCode.SESSION_LIMIT;
}

/** `error` with its class and transport in `details` (so `error.details.failure` tells the application). */
export function classified(error: DuplexError, failure: TransportFailure, transport: ProtocolType): DuplexError {
  return new DuplexError(error.code, error.message, { ...error.details, failure, transport }, error.status);
}
