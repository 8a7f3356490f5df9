/** Chooses the transport for `protocolType`. Only WebSocket exists on the client so far. */
import { DuplexError } from '../../envelope/duplex.error.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import type { ClientTransport } from './client-transport.js';
import { loadWebSocketConstructor } from './load-websocket.js';
import { WebSocketClientTransport } from './websocket.client-transport.js';
import type { WebSocketConstructor } from './websocket-like.js';

export async function createClientTransport(
  protocolType: ProtocolType,
  WebSocketCtor: WebSocketConstructor | undefined,
): Promise<ClientTransport> {
  if (protocolType === ProtocolType.WEBSOCKET) {
    return new WebSocketClientTransport(await loadWebSocketConstructor(WebSocketCtor));
  }
  throw new DuplexError(ErrorCode.BAD_REQUEST, `The client has no "${protocolType}" transport yet; use "websocket"`);
}
