/** Turns the `serverUrl`, `path` and `query` options into the WebSocket URL to open. */
import { DuplexError } from '../envelope/duplex.error.js';
import { ErrorCode } from '../envelope/error-codes.js';

/**
 * Query values the client puts on the URL (the server's `authenticate` hook reads them).
 * @publicApi
 */
export type QueryParams = Record<string, string | number | boolean>;

const SCHEMES: Readonly<Record<string, string>> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };

/**
 * `http(s)://host:port` becomes `ws(s)://host:port`; a URL without a path (or with `/`) gets `path`;
 * the URL's own query is kept and `query` is added (a `query` key replaces the same key).
 */
export function buildServerUrl(serverUrl: string, path: string, query: QueryParams | undefined): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new DuplexError(ErrorCode.BAD_REQUEST, `serverUrl "${serverUrl}" is not an absolute URL (e.g. "http://localhost:3000")`);
  }
  const scheme = SCHEMES[url.protocol];
  if (scheme === undefined) {
    throw new DuplexError(ErrorCode.BAD_REQUEST, `serverUrl must start with http://, https://, ws:// or wss:// (got "${url.protocol}")`);
  }
  // Assigning protocol between the "special" schemes http/https/ws/wss is allowed by the URL spec.
  url.protocol = scheme;
  if (url.pathname === '' || url.pathname === '/') {
    url.pathname = path.startsWith('/') ? path : `/${path}`;
  }
  for (const [key, value] of Object.entries(query ?? {})) {
    url.searchParams.set(key, String(value));
  }
  url.hash = '';
  return url.toString();
}
