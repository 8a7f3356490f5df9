import type { ServerDuplexStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { Handshake } from '../../actions/duplex-context.js';
import type { Envelope } from '../../envelope/envelope.js';
import type { PreparedMessage } from '../../envelope/prepared-message.js';
import { CloseReason } from '../../sessions/close-reason.js';
import type { Link } from '../../sessions/link.js';
import type { GrpcCodec } from './grpc-codec.js';
import { GRPC_STATUS } from './grpc-status.js';
import type { ProtoEnvelope } from './duplex-proto.js';

export type GrpcCall = ServerDuplexStream<ProtoEnvelope, Buffer>;

/**
 * A gRPC bidirectional call as a Link: protobuf envelopes, backpressure from the bytes written to
 * the HTTP/2 stream and not yet taken by it, reading paused by pausing the call (HTTP/2 flow
 * control then pushes back on the client). It never numbers, stores or retries.
 */
export class GrpcLink implements Link {
  private readonly waiters: Array<() => void> = [];
  private isClosing = false;
  /** Bytes handed to the call whose write callback has not fired yet. */
  private pending = 0;
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  constructor(
    private readonly call: GrpcCall,
    private readonly codec: GrpcCodec,
    readonly handshake: Handshake,
    readonly principal: unknown,
    private readonly highWaterMark: number,
    readonly maxPayload: number,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  get closing(): boolean {
    return this.isClosing;
  }

  /** Bytes handed to the call and not yet taken by the HTTP/2 stream. */
  get buffered(): number {
    return this.pending;
  }

  get writable(): boolean {
    return !this.isClosing && this.pending < this.highWaterMark;
  }

  sendSequenced(message: PreparedMessage, sessionId: string, seq: number, ack: number): void {
    this.write(this.codec.encodeSequenced(message, sessionId, seq, ack), false);
  }

  sendControl(envelope: Envelope): void {
    this.write(this.codec.encodeControl(envelope), true);
  }

  onceWritable(listener: () => void): void {
    if (this.writable) listener();
    else this.waiters.push(listener);
  }

  pauseReading(): void {
    this.call.pause();
  }

  resumeReading(): void {
    if (!this.isClosing) this.call.resume();
  }

  close(reason: CloseReason, message: string): void {
    if (this.isClosing) return;
    this.isClosing = true;
    this.waiters.length = 0;
    if (reason === CloseReason.NORMAL) {
      this.call.end();
    } else {
      // The status goes out after what was already written (grpc-js ends the call on 'error').
      this.call.emit('error', { code: GRPC_STATUS[reason], details: `${reason}: ${message}` });
    }
  }

  /** Ends the call from the server without a status of ours (shutdown fallback, tests). */
  cancel(): void {
    this.isClosing = true;
    this.call.emit('error', { code: status.UNAVAILABLE, details: `${CloseReason.SHUTDOWN}: server stopped` });
  }

  /** The call is over (ended, cancelled by the client, or failed): called once by the transport. */
  finished(): void {
    this.isClosing = true;
    this.waiters.length = 0;
    this.resolveEnded();
  }

  private write(frame: Buffer, control: boolean): void {
    if (this.isClosing || this.call.cancelled) return;
    // Control frames are never replayed: a peer that does not read gets no more of them once far past the mark.
    if (control && this.pending >= 2 * this.highWaterMark) return;
    this.pending += frame.length;
    this.call.write(frame, () => this.flushed(frame.length));
  }

  private flushed(bytes: number): void {
    this.pending -= bytes;
    if (!this.writable) return;
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
