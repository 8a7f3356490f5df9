/**
 * `nest-duplex/client`: the browser- and Node-ready client. Nothing here depends on Nest, and every
 * module it loads is a relative ES module, so a page can import it as static files.
 */
export { DuplexClient } from './duplex-client.js';
export type {
  ConnectOptions,
  DuplexClientOptions,
  GrpcTransportOptions,
  HttpTransportOptions,
  ReconnectOptions,
  RequestOptions,
  SendMessageInput,
  WebSocketTransportOptions,
} from './client-options.js';
export type {
  ConnectedInfo,
  DisconnectedInfo,
  DuplexClientEvents,
  ReconnectedInfo,
  SessionLostInfo,
  TransportChangedInfo,
  TransportFailedInfo,
} from './client-events.js';
export { TransportFailure } from './transports/transport-failure.js';
export type { DuplexCallback } from './callback-registry.js';
export type { QueryParams } from './server-url.js';
export type { WebSocketConstructor, WebSocketEventLike, WebSocketLike } from './transports/websocket-like.js';
export type {
  ByteStreamReaderLike,
  EventSourceConstructor,
  EventSourceEventLike,
  EventSourceLike,
  FetchInitLike,
  FetchLike,
  FetchResponseLike,
} from './transports/http-like.js';
export { DuplexError } from '../envelope/duplex.error.js';
export { ErrorCode } from '../envelope/error-codes.js';
export { MessageType, ProtocolType, type Envelope, type EnvelopeData } from '../envelope/envelope.js';
