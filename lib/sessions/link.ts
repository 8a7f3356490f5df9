import type { Handshake } from '../actions/duplex-context.js';
import type { Envelope } from '../envelope/envelope.js';
import type { DuplexError } from '../envelope/duplex.error.js';
import type { PreparedMessage } from '../envelope/prepared-message.js';
import type { CloseReason } from './close-reason.js';

/**
 * One live connection, as every transport presents it to the session layer. The transport owns
 * the socket/stream and its encoding; the session layer only calls these methods.
 */
export interface Link {
  readonly handshake: Handshake;
  readonly principal: unknown;
  /** Largest inbound frame the transport accepts, in bytes (told to the client in the welcome). */
  readonly maxPayload: number;
  /** Writes a sequenced message for this link's session, acknowledging the client's seq up to `ack`. */
  sendSequenced(message: PreparedMessage, sessionId: string, seq: number, ack: number): void;
  /** Writes an unsequenced frame (welcome, heartbeat, ack, frame errors). */
  sendControl(envelope: Envelope): void;
  /** False while the link's send buffer is above its high-water mark. */
  readonly writable: boolean;
  /** Calls `listener` once when the link becomes writable again (or immediately if it is). */
  onceWritable(listener: () => void): void;
  /** Stops taking inbound frames (flow control: too many handlers of this session in flight). */
  pauseReading(): void;
  resumeReading(): void;
  /** Ends the link; the transport later reports `closed()` on its LinkListener. */
  close(reason: CloseReason, message: string): void;
}

/**
 * What a transport calls for a link it opened through `SessionService.openLink`: each decoded
 * inbound envelope, each frame it could not decode, and the end of the link.
 */
export interface LinkListener {
  receive(envelope: Envelope): void;
  reject(error: DuplexError, replyTo?: string): void;
  /** The link ended (a session ends only by the client's `$bye`, never by a link's close). */
  closed(): void;
}
