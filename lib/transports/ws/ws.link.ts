import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Handshake } from '../../actions/duplex-context.js';
import type { Envelope } from '../../envelope/envelope.js';
import { encodeJson, frameJson } from '../../envelope/json-codec.js';
import type { PreparedMessage } from '../../envelope/prepared-message.js';
import type { CloseReason } from '../../sessions/close-reason.js';
import type { Link } from '../../sessions/link.js';
import { WS_CLOSE_CODES } from './ws-close-codes.js';

/** How long a closing socket may take to finish the close handshake before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

/** A WebSocket connection as a Link: JSON text frames, backpressure from `bufferedAmount`. */
export class WsLink implements Link {
  private readonly waiters: Array<() => void> = [];
  private isClosing = false;
  readonly ended: Promise<void>;

  private corked = false;
  /** Writes whose callback has not fired yet. */
  private pendingFlushes = 0;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(
    private readonly ws: WebSocket,
    /** The TCP socket under `ws`: corked while a burst of frames is written, so they leave in one write. */
    private readonly socket: Duplex,
    readonly handshake: Handshake,
    readonly principal: unknown,
    private readonly highWaterMark: number,
    readonly maxPayload: number,
  ) {
    this.ended = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /** True once close() was called: inbound frames are ignored from then on. */
  get closing(): boolean {
    return this.isClosing;
  }

  get writable(): boolean {
    return !this.isClosing && this.ws.readyState === this.ws.OPEN && this.ws.bufferedAmount < this.highWaterMark;
  }

  sendSequenced(message: PreparedMessage, sessionId: string, seq: number, ack: number): void {
    this.write(frameJson(message, sessionId, seq, ack));
  }

  sendControl(envelope: Envelope): void {
    // Control frames are never replayed: a peer that does not read gets no more of them once its
    // buffer is well past the mark (they would grow server memory without bound). The welcome,
    // the first frame of a link, always fits.
    if (this.ws.bufferedAmount >= 2 * this.highWaterMark) return;
    this.write(encodeJson(envelope));
  }

  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    if (!this.isClosing) this.ws.resume();
  }

  onceWritable(listener: () => void): void {
    if (this.writable) {
      listener();
      return;
    }
    this.waiters.push(listener);
    if (this.pendingFlushes === 0 && this.ws.readyState === this.ws.OPEN) {
      // Over the mark with no write callback to come (frames ws wrote itself, e.g. pongs): a
      // ping queued behind them reports when they are flushed. Peers answer pings automatically.
      this.pendingFlushes++;
      this.ws.ping(undefined, undefined, () => this.flushed());
    }
  }

  close(reason: CloseReason, message: string): void {
    if (this.isClosing) return;
    this.isClosing = true;
    this.waiters.length = 0;
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
      // A close frame's reason is at most 123 bytes.
      this.ws.close(WS_CLOSE_CODES[reason], Buffer.from(message).subarray(0, 123).toString());
    }
    // A dead peer never answers the close frame: do not let it hold the socket for ws's 30 s.
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Drops the connection at once, without a close frame (tests and hard failures). */
  terminate(): void {
    this.isClosing = true;
    this.ws.terminate();
  }

  private write(frame: string): void {
    if (this.isClosing || this.ws.readyState !== this.ws.OPEN) return;
    if (!this.corked) {
      // Answers to the requests of one TCP read are produced in the same turn: coalesce them
      // into one system call instead of one per frame.
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    // A frame is up to 3 bytes per character plus a 14-byte header: any frame that could end at or
    // above the mark carries a callback, so when the last of them is flushed the buffer is below
    // the mark again and whoever waits for room is told.
    if (this.ws.bufferedAmount + 3 * frame.length + 14 >= this.highWaterMark) {
      this.pendingFlushes++;
      this.ws.send(frame, () => this.flushed());
    } else {
      this.ws.send(frame);
    }
  }

  private flushed(): void {
    this.pendingFlushes--;
    if (!this.writable) return;
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
