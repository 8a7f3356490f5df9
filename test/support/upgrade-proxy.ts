import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import net from 'node:net';
import { LoopbackHttpServer } from './loopback-http-server.js';

/** What the proxy does to a WebSocket upgrade: pass it on, strip it (a plain GET goes on), or hold it unanswered. */
export type UpgradeMode = 'pass' | 'strip' | 'hang';

/**
 * An HTTP reverse proxy on loopback that forwards every request (streaming both ways: held polls
 * and event streams go through) and does to WebSocket upgrades what `mode` says, as proxies that
 * do not speak WebSocket do.
 */
export class UpgradeProxy {
  mode: UpgradeMode = 'pass';
  private listener!: LoopbackHttpServer;

  private constructor(private readonly target: number) {}

  static async start(targetPort: number, mode: UpgradeMode = 'pass'): Promise<UpgradeProxy> {
    const proxy = new UpgradeProxy(targetPort);
    proxy.mode = mode;
    proxy.listener = await LoopbackHttpServer.listen((req, res) => proxy.forward(req, res));
    proxy.listener.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => proxy.upgrade(req, socket, head));
    return proxy;
  }

  get port(): number {
    return this.listener.port;
  }

  close(): Promise<void> {
    return this.listener.close();
  }

  private forward(req: IncomingMessage, res: import('node:http').ServerResponse, headers = req.headers): void {
    const upstream = httpRequest({ host: '127.0.0.1', port: this.target, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => undefined);
    if (this.mode === 'hang') return;
    if (this.mode === 'strip') {
      // What a proxy that does not know WebSocket sends on: the same GET without the upgrade.
      const { upgrade: _u, connection: _c, 'sec-websocket-key': _k, 'sec-websocket-version': _v, ...headers } = req.headers;
      const answer = httpRequest({ host: '127.0.0.1', port: this.target, method: req.method, path: req.url, headers }, (res) => {
        socket.write(`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
        res.resume();
        socket.end();
      });
      answer.on('error', () => socket.destroy());
      answer.end();
      return;
    }
    const upstream = net.connect(this.target, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`), '', ''];
      upstream.write(lines.join('\r\n'));
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  }
}
