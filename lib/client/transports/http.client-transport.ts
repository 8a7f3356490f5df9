/**
 * What SSE and long-polling share as transports: the endpoints under the prefix, and links that
 * open with the hello by POST (http-link.ts). Each names its way down.
 */
import type { ClientLink, ClientLinkListener, ClientTransport } from './client-transport.js';
import type { HttpEndpoints, HttpTransportName } from './http-endpoints.js';
import type { FetchLike } from './http-like.js';
import { type DownstreamSink, type HttpSession, HttpLink } from './http-link.js';

export abstract class HttpClientTransport implements ClientTransport {
  abstract readonly name: HttpTransportName;
  readonly endpoint: string;
  /** Long-polling: the poll's cursor acknowledges, and idle links send heartbeats (HttpLinkConfig). */
  protected abstract readonly pollsAck: boolean;

  constructor(
    protected readonly fetch: FetchLike,
    protected readonly endpoints: HttpEndpoints,
  ) {
    this.endpoint = endpoints.base;
  }

  open(listener: ClientLinkListener): ClientLink {
    const { name: transport, fetch, endpoints, pollsAck } = this;
    const openDownstream = (session: HttpSession, cursor: number, sink: DownstreamSink, signal: AbortSignal): void => this.downstream(session, cursor, sink, signal);
    return new HttpLink({ transport, fetch, endpoints, pollsAck, openDownstream }, listener);
  }

  /** Starts the way down from `cursor`, until `signal` aborts. */
  protected abstract downstream(session: HttpSession, cursor: number, sink: DownstreamSink, signal: AbortSignal): void;
}
