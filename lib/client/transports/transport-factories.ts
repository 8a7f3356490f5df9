/**
 * One factory per ProtocolType. WebSocket and gRPC exist on the client so far; the others say so,
 * which makes the selector report them at construction (alone) or skip them (among others).
 * A new client transport plugs in here as one class.
 */
import { DuplexError } from '../../envelope/duplex.error.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { websocketUrl } from '../server-url.js';
import type { ClientTransportFactory } from './client-transport.js';
import { grpcUnavailable, loadGrpcTransport } from './load-grpc.js';
import { loadWebSocketConstructor } from './load-websocket.js';
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

const grpcFactory: ClientTransportFactory = {
  // Browsers cannot speak gRPC: the transport reports that there, and is never loaded.
  unavailable: (options) => grpcUnavailable(options.grpc),
  create: (options) => loadGrpcTransport(options.grpc),
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
  [ProtocolType.SSE]: notYet(ProtocolType.SSE),
  [ProtocolType.LONG_POLLING]: notYet(ProtocolType.LONG_POLLING),
  [ProtocolType.GRPC]: grpcFactory,
};
