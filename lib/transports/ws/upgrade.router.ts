import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestPath } from '../http-handshake.js';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Shares the app's HTTP server with other WebSocket servers (e.g. the app's own WsAdapter
 * gateways). Nest's WsAdapter destroys every upgrade whose path it does not own, so listening
 * beside it is not enough: this router becomes the only 'upgrade' listener, takes the requests
 * for our path, and hands every other upgrade to the listeners that were there before.
 */
export class UpgradeRouter {
  private previous: Function[] = [];
  private readonly dispatch = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (requestPath(request) === this.path) {
      this.handle(request, socket, head);
      return;
    }
    if (this.previous.length === 0) {
      // destroy, not end(): nothing reads an upgrade socket, so an ended one stays open for as long as the client likes
      socket.destroy();
      return;
    }
    for (const listener of this.previous) listener.call(this.server, request, socket, head);
  };

  constructor(
    private readonly server: Server,
    private readonly path: string,
    private readonly handle: UpgradeListener,
  ) {}

  install(): void {
    this.previous = this.server.listeners('upgrade');
    this.server.removeAllListeners('upgrade');
    this.server.on('upgrade', this.dispatch);
  }

  uninstall(): void {
    this.server.off('upgrade', this.dispatch);
    for (const listener of this.previous) {
      if (!this.server.listeners('upgrade').includes(listener)) this.server.on('upgrade', listener as UpgradeListener);
    }
    this.previous = [];
  }
}
