/**
 * Server-Sent Events on a raw response: `id:` is the envelope's seq (so a reconnecting EventSource
 * sends it back as `Last-Event-ID`), writes wait for the socket to drain, and comments keep proxies
 * from cutting an idle stream.
 */
import type { ServerResponse } from 'node:http';
import type { OutboxEntry } from '../../brokers/broker.js';
import type { Envelope } from '../../envelope/envelope.js';
import { encodeJson, frameJson } from '../../envelope/json-codec.js';

export class SseStream {
  private gone = false;

  constructor(private readonly res: ServerResponse) {
    res.once('close', () => (this.gone = true));
  }

  /** The stream's headers and a first comment, so the client sees it open at once. */
  open(headers: Record<string, string>): void {
    this.res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-store, no-transform',
      connection: 'keep-alive',
      // nginx buffers responses by default; an event stream must not wait in a buffer.
      'x-accel-buffering': 'no',
    });
    this.res.write(': open\n\n');
  }

  get closed(): boolean {
    return this.gone || this.res.destroyed || this.res.writableEnded;
  }

  /** Sequenced envelopes, one `message` event each (no ack of the client's seq: that comes in POST answers). */
  messages(sessionId: string, entries: readonly OutboxEntry[]): Promise<boolean> {
    let chunk = '';
    for (const { seq, message } of entries) chunk += `id: ${seq}\nevent: message\ndata: ${frameJson(message, sessionId, seq)}\n\n`;
    return this.write(chunk);
  }

  /** An unsequenced envelope (a heartbeat): no `id:`, so the client's Last-Event-ID stays what it was. */
  control(envelope: Envelope): Promise<boolean> {
    return this.write(`event: message\ndata: ${encodeJson(envelope)}\n\n`);
  }

  comment(text: string): Promise<boolean> {
    return this.write(`: ${text}\n\n`);
  }

  /** Why the server ends the stream (`reason`: a CloseReason); the client closes its EventSource and acts on it. */
  close(data: Record<string, unknown>): void {
    if (!this.closed) this.res.end(`event: close\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (!this.closed) this.res.end();
  }

  /** Resolves true once the chunk is handed on (after a drain when the socket was full), false if the stream is gone. */
  private write(chunk: string): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.res.write(chunk)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const settle = (): void => {
        this.res.off('drain', settle);
        this.res.off('close', settle);
        resolve(!this.closed);
      };
      this.res.once('drain', settle);
      this.res.once('close', settle);
    });
  }
}
