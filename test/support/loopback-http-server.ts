import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** An HTTP server on a free loopback port that keeps its sockets, so close() ends kept-alive and held ones at once. */
export class LoopbackHttpServer {
  private readonly sockets = new Set<Socket>();

  private constructor(readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  static async listen(onRequest: (req: IncomingMessage, res: ServerResponse) => void): Promise<LoopbackHttpServer> {
    const loopback = new LoopbackHttpServer(createServer(onRequest));
    await new Promise<void>((resolve) => loopback.server.listen(0, '127.0.0.1', resolve));
    return loopback;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
