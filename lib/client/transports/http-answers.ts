/**
 * What an HTTP transport makes of the server's answers (docs/protocol.md §2c): a status other than
 * 200 before the welcome classifies the attempt, one on a welcomed link becomes the close code the
 * client acts on, and an error envelope body lends its code and message.
 */
import { DuplexError } from '../../envelope/duplex.error.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { CloseCode } from '../close-codes.js';
import type { LinkCloseInfo } from './client-transport.js';
import { TransportFailure } from './transport-failure.js';

/** The code and message of an error envelope body, if the body is one. */
function errorOf(body: string): { code: string; message: string } | undefined {
  try {
    const data = (JSON.parse(body) as { data?: { code?: unknown; message?: unknown } } | null)?.data;
    if (typeof data?.code !== 'string') return undefined;
    return { code: data.code, message: typeof data.message === 'string' ? data.message : data.code };
  } catch {
    return undefined;
  }
}

function answerError(status: number, body: string, what: string, fallbackCode: string): DuplexError {
  const error = errorOf(body);
  return new DuplexError(error?.code ?? fallbackCode, `${what} was answered with HTTP ${status}${error ? `: ${error.message}` : ''}`, undefined, status);
}

/**
 * A failed attempt. 401/403: our server said no. 503 with `session_limit`: no room now (retried).
 * 502/503/504: nothing serves there now. Anything else: whatever answered does not serve this transport.
 */
export function attemptFailure(status: number, body: string, what: string): { error: DuplexError; failure: TransportFailure } {
  const fallback = status === 401 ? ErrorCode.UNAUTHENTICATED : status === 403 ? ErrorCode.FORBIDDEN : ErrorCode.NOT_CONNECTED;
  const error = answerError(status, body, what, fallback);
  if (status === 401 || status === 403 || error.code === ErrorCode.SESSION_LIMIT) return { error, failure: TransportFailure.REFUSED };
  const failure = status === 502 || status === 503 || status === 504 ? TransportFailure.UNREACHABLE : TransportFailure.BLOCKED;
  return { error, failure };
}

/**
 * The end of a welcomed link. 401 (unknown session, wrong token) and 410 mean the session is gone:
 * 4003, or 4002 for an overflowed outbox (the resume it asks for is then refused). Other statuses
 * are worth a resume.
 */
export function linkEnd(status: number, body: string, what: string): { error: DuplexError; close: LinkCloseInfo } {
  const error = answerError(status, body, what, status === 401 || status === 410 ? ErrorCode.SESSION_EXPIRED : ErrorCode.NOT_CONNECTED);
  let code: number = CloseCode.ABNORMAL;
  if (status === 401 || status === 410) code = error.code === ErrorCode.OUTBOX_OVERFLOW ? CloseCode.OUTBOX_OVERFLOW : CloseCode.SESSION_ENDED;
  else if (status === 413) code = CloseCode.TOO_LARGE;
  else if (status === 400 || status === 415) code = CloseCode.POLICY;
  else if (status === 503) code = CloseCode.GOING_AWAY;
  else if (status >= 500) code = CloseCode.INTERNAL_ERROR;
  return { error, close: { code, reason: error.message } };
}

/** The close code of an SSE `close` event's reason (the server's CloseReason names). */
const CLOSE_CODES: Readonly<Record<string, number>> = {
  normal: CloseCode.NORMAL,
  shutdown: CloseCode.GOING_AWAY,
  handshake_timeout: CloseCode.POLICY,
  protocol_error: CloseCode.POLICY,
  too_large: CloseCode.TOO_LARGE,
  internal_error: CloseCode.INTERNAL_ERROR,
  session_limit: CloseCode.TRY_AGAIN_LATER,
  taken_over: CloseCode.TAKEN_OVER,
  heartbeat_timeout: CloseCode.HEARTBEAT_TIMEOUT,
  outbox_overflow: CloseCode.OUTBOX_OVERFLOW,
  session_ended: CloseCode.SESSION_ENDED,
};

export function closeOfReason(reason: string): LinkCloseInfo {
  return { code: CLOSE_CODES[reason] ?? CloseCode.ABNORMAL, reason };
}

/** Network failures (fetch rejects) and our own aborts look alike: the caller knows which it was. */
export function networkError(error: unknown, what: string): DuplexError {
  return new DuplexError(ErrorCode.NOT_CONNECTED, `${what} failed: ${error instanceof Error ? error.message : String(error)}`);
}
