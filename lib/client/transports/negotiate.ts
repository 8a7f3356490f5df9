/**
 * Asks the server which transports it serves (`GET {prefix}/negotiate`, docs/protocol.md §2c),
 * for `protocolType: 'auto'`. An answer that cannot be had or read says nothing: the client then
 * tries its candidates as they are, and each one's failure speaks for itself.
 */
import type { ProtocolType } from '../../envelope/envelope.js';
import type { ResolvedTransportOptions } from '../client-options.js';
import { httpUrl } from '../server-url.js';
import { fetchOf } from './http-endpoints.js';

export type Negotiate = () => Promise<ReadonlySet<string> | undefined>;

function servedTransports(body: unknown): Set<string> | undefined {
  const list = (body as { transports?: unknown } | null)?.transports;
  if (!Array.isArray(list)) return undefined;
  const names = list.map((entry: unknown) => (entry as { transport?: unknown } | null)?.transport).filter((n): n is string => typeof n === 'string');
  return new Set(names);
}

/** Undefined when negotiating cannot work here (a `ws://` or `grpc://` serverUrl, no fetch). */
export function negotiator(options: ResolvedTransportOptions, timeoutMs: number): Negotiate | undefined {
  const fetchFn = fetchOf(options);
  if (options.server.websocketOnly || options.server.grpcAddress !== undefined || fetchFn === undefined) return undefined;
  const url = httpUrl(options.server, `${options.http.path}/negotiate`, options.query);
  return async () => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const response = await fetchFn(url, { method: 'GET', headers: { accept: 'application/json' }, signal: abort.signal, cache: 'no-store' });
      if (response.status !== 200) return undefined;
      return servedTransports(JSON.parse(await response.text()));
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** `candidates` less those the server does not serve; all of them when that would leave none. */
export function servedOnly(candidates: ProtocolType[], served: ReadonlySet<string> | undefined): ProtocolType[] {
  if (served === undefined) return candidates;
  const kept = candidates.filter((name) => served.has(name));
  return kept.length > 0 ? kept : candidates;
}
