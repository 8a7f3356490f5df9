/**
 * How a request after the welcome proves its session: the session id and resume token in headers,
 * or (where a browser cannot set headers: EventSource) in the query. The token is compared by the
 * session layer's doors, never logged, and kept out of what handlers see.
 */
import type { IncomingMessage } from 'node:http';
import type { Handshake } from '../../actions/duplex-context.js';
import { DuplexError } from '../../envelope/duplex.error.js';
import type { ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { handshakeFromRequest } from '../http-handshake.js';

export const SESSION_HEADER = 'x-duplex-session';
export const TOKEN_HEADER = 'x-duplex-token';
/** Query fallbacks (SSE only): `?session_id=…&token=…`. */
export const SESSION_QUERY = 'session_id';
export const TOKEN_QUERY = 'token';

export interface SessionProof {
  sessionId: string;
  token: string;
}

function single(value: string | string[] | null | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The proof a request carries, or the `unauthenticated` refusal when it carries none. */
export function readProof(req: IncomingMessage, query?: URLSearchParams): SessionProof | DuplexError {
  const sessionId = single(req.headers[SESSION_HEADER]) ?? single(query?.get(SESSION_QUERY));
  const token = single(req.headers[TOKEN_HEADER]) ?? single(query?.get(TOKEN_QUERY));
  if (sessionId === undefined || token === undefined) {
    const where = query === undefined ? `the ${SESSION_HEADER} and ${TOKEN_HEADER} headers` : `the ${SESSION_HEADER} and ${TOKEN_HEADER} headers (or ?${SESSION_QUERY}=&${TOKEN_QUERY}=)`;
    return new DuplexError(ErrorCode.UNAUTHENTICATED, `This endpoint needs the session's id and resume token: ${where}`);
  }
  return { sessionId, token };
}

/**
 * The handshake handlers and guards see for a POST: without the session's token header. (The query
 * is left alone: only SSE takes the token from it, and a `?token=` elsewhere is the app's own.)
 */
export function handshakeWithoutToken(req: IncomingMessage, transport: ProtocolType): Handshake {
  const handshake = handshakeFromRequest(req, transport);
  const headers = { ...handshake.headers };
  delete headers[TOKEN_HEADER];
  return { ...handshake, headers };
}
