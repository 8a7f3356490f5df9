import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { DUPLEX_RESOLVED_OPTIONS } from '../../duplex.constants.js';
import { NO_HTTP_SERVER } from '../../duplex.messages.js';
import type { ResolvedDuplexOptions } from '../../duplex-options.js';
import { DuplexError } from '../../envelope/duplex.error.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { decodeJson } from '../../envelope/json-codec.js';
import type { Handshake } from '../../actions/duplex-context.js';
import { CloseReason } from '../../sessions/close-reason.js';
import { SessionService } from '../../sessions/session.service.js';
import { ConnectionAuthenticator } from '../connection.authenticator.js';
import { handshakeFromRequest } from '../http-handshake.js';
import { AUTH_TIMED_OUT, authenticateWithin, refuseUpgrade, SHUTTING_DOWN, UNAUTHORIZED } from './upgrade.gate.js';
import { UpgradeRouter } from './upgrade.router.js';
import { WsLink } from './ws.link.js';

/**
 * The WebSocket transport: a `ws` server in noServer mode on the Nest app's own HTTP server and
 * port, at `websocket.path`. Authenticates at the upgrade (401 on rejection), turns each socket
 * into a WsLink and reports it to the SessionService.
 */
@Injectable()
export class WsTransport implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WsTransport.name);
  private readonly links = new Set<WsLink>();
  private wss: WebSocketServer | undefined;
  private router: UpgradeRouter | undefined;
  private shuttingDown = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly sessions: SessionService,
    private readonly authenticator: ConnectionAuthenticator,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.protocols.has(ProtocolType.WEBSOCKET)) return;
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (server === undefined || typeof server.on !== 'function') throw new Error(NO_HTTP_SERVER());
    const { perMessageDeflate, path } = this.options.websocket;
    const maxPayload = this.options.maxPayload;
    this.wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate, clientTracking: false });
    this.router = new UpgradeRouter(server, path, (request, socket, head) => void this.upgrade(request, socket, head));
    this.router.install();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    this.router?.uninstall();
    const ended = [...this.links].map((link) => {
      link.close(CloseReason.SHUTDOWN, 'server shutting down');
      return link.ended;
    });
    await Promise.all(ended);
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const ignore = (): void => undefined;
    socket.on('error', ignore);
    const handshake = handshakeFromRequest(request, ProtocolType.WEBSOCKET);
    const auth = await authenticateWithin(this.authenticator.authenticate(handshake), socket, this.options.authTimeoutMs);
    if (auth === 'closed') return;
    if (auth === 'timed-out') {
      refuseUpgrade(socket, AUTH_TIMED_OUT);
      return;
    }
    if (!auth.ok) {
      refuseUpgrade(socket, UNAUTHORIZED);
      return;
    }
    if (this.shuttingDown) {
      // Authenticated while the app was closing: refused, as a new connection would be.
      refuseUpgrade(socket, SHUTTING_DOWN);
      return;
    }
    if (socket.destroyed || this.wss === undefined) return;
    socket.off('error', ignore);
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, socket, handshake, auth.principal));
  }

  private accept(ws: WebSocket, socket: Duplex, handshake: Handshake, principal: unknown): void {
    const link = new WsLink(ws, socket, handshake, principal, this.options.websocket.highWaterMark, this.options.maxPayload);
    this.links.add(link);
    const listener = this.sessions.openLink(link);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (link.closing) return;
      if (isBinary) {
        listener.reject(new DuplexError(ErrorCode.BAD_FRAME, 'Binary frames are not accepted: send JSON text frames'));
        return;
      }
      const result = decodeJson(data.toString());
      if (result.ok) listener.receive(result.envelope);
      else listener.reject(result.error, result.replyTo);
    });
    // ws reports protocol violations (e.g. a frame over maxPayload → 1009) here and closes itself.
    ws.on('error', (err) => this.logger.debug(`WebSocket error: ${err.message}`));
    ws.once('close', () => {
      this.links.delete(link);
      listener.closed();
    });
  }
}
