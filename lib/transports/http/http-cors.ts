import type { IncomingMessage } from 'node:http';
import type { ResolvedHttpOptions } from '../../duplex-options.js';

/** Header names a preflight may ask for: an RFC 9110 token list, echoed only when it is one. */
const HEADER_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

/**
 * CORS headers of an answer (`http.cors`). Any origin (`true`) is served without credentials: with
 * them, any site could open a session in the user's name (`authenticate` sees the user's cookies)
 * and read its token from the welcome. A list of origins is trusted with credentials.
 */
export function corsHeaders(cors: ResolvedHttpOptions['cors'], req: IncomingMessage): Record<string, string> {
  if (cors === false) return {};
  if (cors === '*') return { 'access-control-allow-origin': '*' };
  const origin = req.headers.origin;
  if (origin === undefined || !cors.includes(origin)) return { vary: 'Origin' };
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
}

/** The answer to a preflight: the CORS headers plus the methods and the headers asked for. */
export function preflightHeaders(cors: ResolvedHttpOptions['cors'], req: IncomingMessage): Record<string, string> {
  const headers = corsHeaders(cors, req);
  if (headers['access-control-allow-origin'] === undefined) return headers;
  const asked = req.headers['access-control-request-headers'];
  return {
    ...headers,
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    ...(typeof asked === 'string' && HEADER_LIST.test(asked) ? { 'access-control-allow-headers': asked } : {}),
    'access-control-max-age': '600',
  };
}
