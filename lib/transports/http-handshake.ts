import type { IncomingMessage } from 'node:http';
import type { Handshake } from '../actions/duplex-context.js';
import type { ProtocolType } from '../envelope/envelope.js';

/** The transport-neutral handshake of an HTTP-based connection (WebSocket upgrade, SSE, long-poll). */
export function handshakeFromRequest(request: IncomingMessage, transport: ProtocolType): Handshake {
  // No prototype: `authenticate` looks client-chosen keys up in it, and `?constructor=` or
  // `?__proto__=` must be plain keys, not Object.prototype members (as querystring.parse does).
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const url = new URL(request.url ?? '/', 'http://localhost');
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0] : values;
  }
  return { transport, headers: request.headers, query, remoteAddress: request.socket.remoteAddress };
}

/** The path of a request URL, without its query. */
export function requestPath(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
