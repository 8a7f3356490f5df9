import type { WebSocket } from 'ws';
import { WsTransport } from '../../lib/transports/ws/ws.transport.js';
import type { TestApp } from './test-app.js';

/** The server-side sockets of the WebSocket transport, read through its internals (a test may look inside). */
export function serverSockets(t: TestApp): WebSocket[] {
  const links = (t.app.get(WsTransport) as unknown as { links: Set<unknown> }).links;
  return [...links].map((link) => (link as { ws: WebSocket }).ws);
}
