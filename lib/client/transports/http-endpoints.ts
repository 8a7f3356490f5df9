/**
 * The URLs of the HTTP transports (docs/protocol.md §2c), under the server's prefix on an
 * `http(s)://` serverUrl. The `query` option goes where `authenticate` runs (opening a session);
 * later requests prove the session with its token instead (and a `token` of the query option
 * must not be taken for it).
 */
import type { ResolvedTransportOptions } from '../client-options.js';
import { httpUrl } from '../server-url.js';
import type { FetchLike } from './http-like.js';

export type HttpTransportName = 'sse' | 'long-polling';

export interface HttpEndpoints {
  /** The prefix itself: where the transport says it goes. */
  readonly base: string;
  session(transport: HttpTransportName): string;
  /** `transport` tells the server's handlers which transport the envelopes came over. */
  messages(transport: HttpTransportName): string;
  poll(cursor: number, waitMs: number | undefined): string;
  /** EventSource cannot send headers: the session and its token go in the query. */
  sse(sessionId: string, token: string, cursor: number): string;
}

export function httpEndpoints(options: ResolvedTransportOptions): HttpEndpoints {
  const { server, query, http } = options;
  const at = (name: string, params?: Record<string, string | number>) => httpUrl(server, `${http.path}/${name}`, undefined, params);
  return {
    base: httpUrl(server, http.path, undefined),
    session: (transport) => httpUrl(server, `${http.path}/session`, query, { transport }),
    messages: (transport) => at('messages', { transport }),
    poll: (cursor, waitMs) => at('poll', waitMs === undefined ? { cursor } : { cursor, wait_ms: waitMs }),
    sse: (sessionId, token, cursor) => at('sse', { session_id: sessionId, token, cursor }),
  };
}

/** The `http.fetch` option, else the global fetch (bound: browsers throw "Illegal invocation" otherwise). */
export function fetchOf(options: ResolvedTransportOptions): FetchLike | undefined {
  const global = (globalThis as { fetch?: FetchLike }).fetch;
  return options.http.fetch ?? global?.bind(globalThis);
}
