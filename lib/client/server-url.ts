/**
 * Reads the `serverUrl` option, and derives each transport's endpoint from it. An `http(s)://`
 * URL is the base of every HTTP-borne transport (its path, if any, is a prefix: a server behind a
 * proxy at `/api`); a `ws(s)://` URL is the WebSocket endpoint itself, and a `grpc://host:port`
 * URL the gRPC address: each serves no other transport.
 */
import { DuplexError } from '../envelope/duplex.error.js';
import { ErrorCode } from '../envelope/error-codes.js';

/**
 * Query values the client puts on the URL (the server's `authenticate` hook reads them).
 * @publicApi
 */
export type QueryParams = Record<string, string | number | boolean>;

export interface ServerBase {
  url: URL;
  /** A `ws(s)://` serverUrl: the WebSocket endpoint, no base for the other transports. */
  websocketOnly: boolean;
  /** A `grpc://host:port` serverUrl: its `host:port`, the gRPC address; no base for the other transports. */
  grpcAddress: string | undefined;
}

const WEBSOCKET_SCHEMES: Readonly<Record<string, string>> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };

function badUrl(message: string): never {
  throw new DuplexError(ErrorCode.BAD_REQUEST, message);
}

/** `grpc://host:port` names a gRPC server, which has an address and nothing more. */
function grpcAddress(url: URL, serverUrl: string): string {
  if (url.port === '' || url.hostname === '') badUrl(`serverUrl "${serverUrl}" must name a host and a port, e.g. "grpc://localhost:50051"`);
  if (!isRoot(url.pathname) || url.search !== '') badUrl(`serverUrl "${serverUrl}" must be a gRPC address with no path or query, e.g. "grpc://localhost:50051"`);
  return url.host;
}

export function parseServerUrl(serverUrl: string): ServerBase {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    badUrl(`serverUrl "${serverUrl}" is not an absolute URL (e.g. "http://localhost:3000")`);
  }
  const grpc = url.protocol === 'grpc:';
  if (WEBSOCKET_SCHEMES[url.protocol] === undefined && !grpc) {
    badUrl(`serverUrl must start with http://, https://, ws://, wss:// or grpc:// (got "${url.protocol}")`);
  }
  url.hash = '';
  return { url, websocketOnly: url.protocol === 'ws:' || url.protocol === 'wss:', grpcAddress: grpc ? grpcAddress(url, serverUrl) : undefined };
}

function isRoot(pathname: string): boolean {
  return pathname === '' || pathname === '/';
}

/** `/api/` + `duplex` → `/api/duplex`. */
function joinPath(base: string, path: string): string {
  const tail = path.startsWith('/') ? path : `/${path}`;
  return isRoot(base) ? tail : `${base.replace(/\/+$/, '')}${tail}`;
}

/**
 * The WebSocket URL: `http(s)://host[/base]` becomes `ws(s)://host[/base]` + `path`; a `ws(s)://`
 * URL gets `path` only when it has no path of its own. The URL's query is kept and `query` is
 * added (a `query` key replaces the same key).
 */
export function websocketUrl(server: ServerBase, path: string, query: QueryParams | undefined): string {
  const url = new URL(server.url.href);
  if (!server.websocketOnly || isRoot(url.pathname)) url.pathname = joinPath(url.pathname, path);
  // Assigning protocol between the "special" schemes http/https/ws/wss is allowed by the URL spec.
  url.protocol = WEBSOCKET_SCHEMES[url.protocol]!;
  for (const [key, value] of Object.entries(query ?? {})) {
    url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/**
 * An HTTP endpoint: `http(s)://host[/base]` + `path`, the URL's query kept, then `query` and
 * `params` added (a later key replaces an earlier one). Only for an `http(s)://` serverUrl.
 */
export function httpUrl(server: ServerBase, path: string, query: QueryParams | undefined, params: QueryParams = {}): string {
  const url = new URL(server.url.href);
  url.pathname = joinPath(url.pathname, path);
  for (const [key, value] of Object.entries({ ...query, ...params })) {
    url.searchParams.set(key, String(value));
  }
  return url.toString();
}
