/**
 * One factory per ProtocolType. A transport the client lacks (gRPC in a browser) says so, which
 * makes the selector report it at construction (alone) or skip it (among others). A new client
 * transport plugs in here as one class.
 */
import { ProtocolType } from '../../envelope/envelope.js';
import { websocketUrl } from '../server-url.js';
import type { ResolvedTransportOptions } from '../client-options.js';
import type { ClientTransportFactory } from './client-transport.js';
import { fetchOf, httpEndpoints } from './http-endpoints.js';
import type { EventSourceConstructor } from './http-like.js';
import { grpcUnavailable, loadGrpcTransport } from './load-grpc.js';
import { loadWebSocketConstructor } from './load-websocket.js';
import { LongPollingClientTransport } from './long-polling.client-transport.js';
import { SseClientTransport } from './sse.client-transport.js';
import { WebSocketClientTransport } from './websocket.client-transport.js';

/** @internal A factory per transport name, for tests and for transports in development. */
export type ClientTransportFactories = Readonly<Partial<Record<ProtocolType, ClientTransportFactory>>>;

const websocketFactory: ClientTransportFactory = {
  unavailable: (options) => (options.server.grpcAddress === undefined ? undefined : 'the serverUrl is a grpc:// address'),
  create: async (options) =>
    new WebSocketClientTransport(
      await loadWebSocketConstructor(options.websocket.WebSocket),
      websocketUrl(options.server, options.websocket.path, options.query),
    ),
};

/** Why an HTTP transport cannot run with these options; undefined when it can. */
function httpUnavailable(options: ResolvedTransportOptions): string | undefined {
  if (options.server.websocketOnly) return 'a ws(s):// serverUrl serves only WebSocket: give the http(s):// one';
  if (options.server.grpcAddress !== undefined) return 'a grpc:// serverUrl serves only gRPC: give the http(s):// one';
  if (fetchOf(options) === undefined) return 'no fetch here: pass the http.fetch option';
  return undefined;
}

const sseFactory: ClientTransportFactory = {
  unavailable: httpUnavailable,
  create: (options) => {
    const EventSourceCtor = options.http.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
    return Promise.resolve(new SseClientTransport(fetchOf(options)!, httpEndpoints(options), EventSourceCtor));
  },
};

const longPollingFactory: ClientTransportFactory = {
  unavailable: httpUnavailable,
  create: (options) => Promise.resolve(new LongPollingClientTransport(fetchOf(options)!, httpEndpoints(options), options.http.pollWaitMs)),
};

const grpcFactory: ClientTransportFactory = {
  // Browsers cannot speak gRPC: the transport reports that there, and is never loaded.
  unavailable: (options) => grpcUnavailable(options.grpc),
  create: (options) => loadGrpcTransport(options.grpc),
};

export const DEFAULT_TRANSPORT_FACTORIES: Readonly<Record<ProtocolType, ClientTransportFactory>> = {
  [ProtocolType.WEBSOCKET]: websocketFactory,
  [ProtocolType.SSE]: sseFactory,
  [ProtocolType.LONG_POLLING]: longPollingFactory,
  [ProtocolType.GRPC]: grpcFactory,
};
