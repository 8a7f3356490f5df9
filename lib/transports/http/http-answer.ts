/** Writes the transport's JSON answers and error envelopes on the raw response. */
import type { ServerResponse } from 'node:http';
import { DuplexError } from '../../envelope/duplex.error.js';
import { MessageType } from '../../envelope/envelope.js';
import { controlEnvelope } from '../../envelope/envelope.factory.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { encodeJson } from '../../envelope/json-codec.js';

/** HTTP status of a refusal by the session layer's doors (docs/protocol.md §2c). */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  [ErrorCode.BAD_FRAME]: 400,
  [ErrorCode.BAD_ENVELOPE]: 400,
  [ErrorCode.BAD_REQUEST]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.TOO_LARGE]: 413,
  // Unknown session, wrong token, ended session: one answer, so an id cannot be probed for existence.
  [ErrorCode.SESSION_EXPIRED]: 410,
  [ErrorCode.OUTBOX_OVERFLOW]: 410,
  [ErrorCode.SESSION_LIMIT]: 503,
  [ErrorCode.TIMEOUT]: 503,
};

export function statusOf(error: DuplexError): number {
  return STATUS_OF_CODE[error.code] ?? 500;
}

/** Sends `json` (already serialised) with `status`; never cached by a proxy. */
export function sendJson(res: ServerResponse, status: number, json: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(json)),
    'cache-control': 'no-store',
  });
  res.end(json);
}

/** An `error` envelope with no session (`session_id` ""), the body of every 4xx/5xx of the transport. */
export function errorBody(error: DuplexError): string {
  return encodeJson(controlEnvelope(MessageType.ERROR, '', error.toData()));
}

export function sendError(res: ServerResponse, error: DuplexError, headers: Record<string, string> = {}, status = statusOf(error)): void {
  sendJson(res, status, errorBody(error), headers);
}

/** What an unexpected failure (a broker that threw) is answered with: never its message. */
export const INTERNAL_ERROR = new DuplexError(ErrorCode.INTERNAL, 'Internal server error');
