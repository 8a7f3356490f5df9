import WebSocket from 'ws';

import { type Frame, FrameQueue } from './frame-queue.js';

export type { Frame } from './frame-queue.js';

/**
 * A bare WebSocket speaking the wire protocol by hand, for tests that must see exact frames
 * (bad input, handshake). Every wait has a deadline; nothing sleeps.
 */
export class RawPeer {
  private readonly queue = new FrameQueue();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.queue.push(JSON.parse(data.toString()) as Frame);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a socket; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const peer = new RawPeer(ws);
      ws.once('open', () => resolve(peer));
      ws.once('unexpected-response', (_req, res) => {
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  /** Opens a socket and completes the hello; resolves with the welcome. */
  static async hello(url: string, data: Record<string, unknown> = {}): Promise<{ peer: RawPeer; welcome: Frame }> {
    const peer = await RawPeer.open(url);
    peer.send({ id: 'hello-1', type: 'request', action: '$hello', data, timestamp: Date.now() / 1000 });
    const welcome = await peer.next((f) => f.action === '$hello');
    return { peer, welcome };
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  request(id: string, action: string, data: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): void {
    this.send({ id, type: 'request', action, data, timestamp: Date.now() / 1000, ...extra });
  }

  /** The first frame (already received or still to come) that matches, within the deadline. */
  next(match: (frame: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    return this.queue.next(match, timeoutMs);
  }

  /** Answer to a request id. */
  reply(id: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.reply_to === id && (f.type === 'response' || f.type === 'error'), timeoutMs);
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closed;
  }
}
