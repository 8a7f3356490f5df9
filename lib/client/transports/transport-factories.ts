/**
 * One factory per ProtocolType. A transport the client lacks says so, which makes the selector
 * report it at construction (alone) or skip it (among others). A new client transport plugs in
 * here as one class.
 */
import { DuplexError } from '../../envelope/duplex.error.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { websocketUrl } from '../server-url.js';
import type { ResolvedTransportOptions } from '../client-options.js';
import type { ClientTransportFactory } from './client-transport.js';
import { fetchOf, httpEndpoints } from './http-endpoints.js';
import type { EventSourceConstructor } from './http-like.js';
import { loadWebSocketConstructor } from './load-websocket.js';
import { LongPollingClientTransport } from './long-polling.client-transport.js';
import { SseClientTransport } from './sse.client-transport.js';
import { WebSocketClientTransport } from './websocket.client-transport.js';

/** @internal A factory per transport name, for tests and for transports in development. */
export type ClientTransportFactories = Readonly<Partial<Record<ProtocolType, ClientTransportFactory>>>;

const websocketFactory: ClientTransportFactory = {
  unavailable: () => undefined,
  create: async (options) =>
    new WebSocketClientTransport(
      await loadWebSocketConstructor(options.websocket.WebSocket),
      websocketUrl(options.server, options.websocket.path, options.query),
    ),
};

/** Why an HTTP transport cannot run with these options; undefined when it can. */
function httpUnavailable(options: ResolvedTransportOptions): string | undefined {
  if (options.server.websocketOnly) return 'a ws(s):// serverUrl serves only WebSocket: give the http(s):// one';
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

function notYet(name: ProtocolType): ClientTransportFactory {
  const reason = `the client has no "${name}" transport yet`;
  return {
    unavailable: () => reason,
    create: () => Promise.reject(new DuplexError(ErrorCode.BAD_REQUEST, reason)),
  };
}

export const DEFAULT_TRANSPORT_FACTORIES: Readonly<Record<ProtocolType, ClientTransportFactory>> = {
  [ProtocolType.WEBSOCKET]: websocketFactory,
  [ProtocolType.SSE]: sseFactory,
  [ProtocolType.LONG_POLLING]: longPollingFactory,
  // Browsers cannot speak gRPC: its factory will report that there.
  [ProtocolType.GRPC]: notYet(ProtocolType.GRPC),
};
