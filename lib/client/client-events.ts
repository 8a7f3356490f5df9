/** The events a DuplexClient emits, what each carries, and the emitter that reports listener failures. */
import { DuplexError } from '../envelope/duplex.error.js';
import type { ProtocolType } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import type { TransportFailure } from './transports/transport-failure.js';
import { TypedEmitter } from './typed-emitter.js';

/** @publicApi */
export interface ConnectedInfo {
  sessionId: string;
  /** True when connect() re-attached a session the client already had. */
  resumed: boolean;
}

/** @publicApi */
export interface DisconnectedInfo {
  /** The WebSocket close code; 1006 when the client dropped a link it found dead. */
  code: number;
  reason: string;
}

/** @publicApi */
export interface ReconnectedInfo {
  /** False when the server could not resume the session: a `session_lost` event follows. */
  resumed: boolean;
}

/** @publicApi */
export interface SessionLostInfo {
  /** `session_expired`, `outbox_overflow` or `forbidden` (docs/protocol.md §4). */
  code: string;
  message: string;
}

/** @publicApi */
export interface TransportFailedInfo {
  transport: ProtocolType;
  /** `refused`: never retried; `unreachable`, `blocked`: the next transport is tried, then the attempt is retried. */
  failure: TransportFailure;
  /** Why; also carries `details.failure` and `details.transport`. */
  error: DuplexError;
}

/** @publicApi */
export interface TransportChangedInfo {
  /** The transport of the connection that was just welcomed. */
  transport: ProtocolType;
  /** The transport of the welcomed connection before it; undefined for a session's first. */
  previous: ProtocolType | undefined;
}

/**
 * Listener arguments per event.
 * @publicApi
 */
export interface DuplexClientEvents {
  /** The welcome of a connect() call arrived. */
  connected: [info: ConnectedInfo];
  /** A connection that had been welcomed ended (for any reason, disconnect() included). */
  disconnected: [info: DisconnectedInfo];
  /**
   * Something failed that no promise reports: connect() gave up (`details.failure` and
   * `details.transport` say how), reconnecting gave up, a server error about no request of ours,
   * a throwing callback.
   */
  error: [error: DuplexError];
  /** Another attempt is scheduled (a reconnect, or a retry of connect() per `connect.retries`); `attempt` counts from 1. */
  reconnecting: [attempt: number, delayMs: number];
  /** One transport failed to get a welcome, during connect() or a reconnect. */
  transport_failed: [info: TransportFailedInfo];
  /** A connection was welcomed on another transport than the last one (and on a session's first connection). */
  transport_changed: [info: TransportChangedInfo];
  /** The welcome of an automatic reconnect arrived. */
  reconnected: [info: ReconnectedInfo];
  /** The server could not resume the session; its sent requests were rejected and a fresh session began. */
  session_lost: [info: SessionLostInfo];
}

/** An emitter on which a throwing listener is reported as an `error` event (never escapes into a socket callback). */
export function createClientEmitter(): TypedEmitter<DuplexClientEvents> {
  const emitter: TypedEmitter<DuplexClientEvents> = new TypedEmitter<DuplexClientEvents>((error, event) => {
    if (event !== 'error') {
      const reason = error instanceof Error ? error.message : String(error);
      emitter.emit('error', new DuplexError(ErrorCode.INTERNAL, `A "${String(event)}" listener threw: ${reason}`));
    }
  });
  return emitter;
}
