/**
 * Keeps the client connected: runs connection attempts over the candidate transports, retries
 * them with backoff (connect() per `connect.retries`, a lost connection per `reconnect`), and
 * decides after every end whether to resume, start a fresh session or stop (close-codes.ts).
 * The session itself (what a hello resumes, what a welcome does to the outbox) is the client's.
 */
import { DuplexError } from '../envelope/duplex.error.js';
import type { Envelope, ProtocolType } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { ClientConnection, type ConnectionEnd } from './client-connection.js';
import { describe } from './client-envelopes.js';
import type { DuplexClientEvents, SessionLostInfo } from './client-events.js';
import type { ResolvedClientOptions } from './client-options.js';
import { afterClose } from './close-codes.js';
import { ReconnectScheduler, type ScheduledAttempt } from './reconnect-scheduler.js';
import type { TransportSelector } from './transport-selector.js';
import type { ClientTransport, LinkCloseInfo } from './transports/client-transport.js';
import { classified, isRetryable, TransportFailure } from './transports/transport-failure.js';
import type { TypedEmitter } from './typed-emitter.js';
import type { Welcome } from './welcome.js';

/** idle: no link and none coming; connecting: a connect() attempt; reconnecting: waiting or retrying. */
type LinkState = 'idle' | 'connecting' | 'open' | 'reconnecting';

export interface SessionHooks {
  /** The hello of the next attempt (with the resume fields when there is a session to resume). */
  hello(): Envelope;
  /** Called synchronously at the welcome, before any frame that follows it. */
  welcomed(welcome: Welcome, reconnected: boolean): void;
  /** The client's cumulative ack: the last server seq it processed in order (a poll's cursor). */
  position(): number;
  /** A frame of the welcomed connection. */
  frame(connection: ClientConnection, envelope: Envelope): void;
  /** The welcomed connection ended. */
  linkDown(): void;
  /** The server ended the session for good (1000, 4000): the client stops. */
  sessionEnded(error: DuplexError): void;
  /** The server ended the session (4003): the next welcome starts a fresh one. */
  sessionGone(info: SessionLostInfo): void;
}

function closeText(end: LinkCloseInfo): string {
  return `${end.code}${end.reason ? ` ${end.reason}` : ''}`;
}

export class ConnectionSupervisor {
  private state: LinkState = 'idle';
  private connection: ClientConnection | undefined;
  /** The rest of the current attempt's candidate transports. */
  private walk: ProtocolType[] = [];
  /** The transport of the last welcomed connection of this session. */
  private lastTransport: ProtocolType | undefined;
  /** Bumped by every attempt and by halt(), so an attempt that lost the race stops. */
  private attemptId = 0;
  private readonly retries: ReconnectScheduler;
  private waiters: Array<(connected: boolean) => void> = [];

  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly selector: TransportSelector,
    private readonly emitter: TypedEmitter<DuplexClientEvents>,
    private readonly session: SessionHooks,
  ) {
    this.retries = new ReconnectScheduler(options.reconnect, options.random);
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  get transport(): ProtocolType | undefined {
    return this.state === 'open' ? this.lastTransport : undefined;
  }

  /** The welcomed connection, while it can carry frames. */
  get live(): ClientConnection | undefined {
    return this.state === 'open' && this.connection?.isLive ? this.connection : undefined;
  }

  connect(): Promise<boolean> {
    if (this.state === 'open') return Promise.resolve(true);
    const outcome = new Promise<boolean>((resolve) => this.waiters.push(resolve));
    if (this.state === 'idle') {
      this.state = 'connecting';
      this.startAttempt();
    }
    return outcome;
  }

  /** Stops everything: no attempt, no timer, connect() resolves false. Returns the connection that was up, for a goodbye. */
  halt(): ClientConnection | undefined {
    const connection = this.connection;
    this.state = 'idle';
    this.connection = undefined;
    this.attemptId++;
    this.walk = [];
    this.lastTransport = undefined;
    this.retries.reset();
    this.settleWaiters(false);
    return connection;
  }

  // --- attempts ------------------------------------------------------------------------------

  /** An attempt walks the candidate transports until one is welcomed, refused, or all failed. */
  private startAttempt(): void {
    const attempt = ++this.attemptId;
    this.walk = [];
    void this.selector.walk().then((walk) => {
      if (attempt !== this.attemptId) return;
      this.walk = walk;
      void this.tryNextTransport(attempt);
    });
  }

  private async tryNextTransport(attempt: number): Promise<void> {
    const name = this.walk.shift();
    if (name === undefined) return;
    let transport: ClientTransport;
    try {
      transport = await this.selector.transport(name);
    } catch (error) {
      // E.g. no WebSocket implementation: nothing could be reached over this transport.
      const reason = error instanceof DuplexError ? error : new DuplexError(ErrorCode.NOT_CONNECTED, describe(error));
      if (attempt === this.attemptId) this.onAttemptFailed(name, classified(reason, TransportFailure.UNREACHABLE, name), TransportFailure.UNREACHABLE);
      return;
    }
    if (attempt !== this.attemptId) return;
    const { requestTimeoutMs, transportTimeoutMs } = this.options;
    const settings = {
      hello: this.session.hello(),
      // A transport that hangs must not hold the next candidate back for long.
      handshakeTimeoutMs: this.walk.length > 0 ? Math.min(requestTimeoutMs, transportTimeoutMs) : requestTimeoutMs,
      position: () => this.session.position(),
      heartbeatTimeoutMs: this.options.heartbeatTimeoutMs,
    };
    const connection: ClientConnection = new ClientConnection(transport, settings, {
      welcomed: (welcome) => this.connection === connection && this.onWelcome(welcome, name),
      frame: (envelope) => this.connection === connection && this.session.frame(connection, envelope),
      problem: (error) => this.connection === connection && this.emitter.emit('error', error),
      ended: (end) => this.connection === connection && this.onEnded(end, name),
    });
    this.connection = connection;
    connection.start();
  }

  private onWelcome(welcome: Welcome, transport: ProtocolType): void {
    const reconnected = this.state === 'reconnecting';
    const previous = this.lastTransport;
    this.state = 'open';
    this.lastTransport = transport;
    this.retries.reset();
    this.selector.succeeded(transport);
    this.settleWaiters(true);
    this.session.welcomed(welcome, reconnected);
    if (transport !== previous && this.connected) this.emitter.emit('transport_changed', { transport, previous });
  }

  private onEnded(end: ConnectionEnd, transport: ProtocolType): void {
    this.connection = undefined;
    if (end.welcomed) this.onLinkLost(end);
    else this.onAttemptFailed(transport, end.error, end.failure);
  }

  /**
   * One transport failed to get a welcome: try the next candidate unless the server refused,
   * else retry the attempt (connect() per `connect.retries`, a reconnect per `reconnect`) or give up.
   */
  private onAttemptFailed(transport: ProtocolType, error: DuplexError, failure: TransportFailure): void {
    const attempt = this.attemptId;
    this.emitter.emit('transport_failed', { transport, failure, error });
    // A listener may have called disconnect() meanwhile: this attempt is then over.
    if (attempt !== this.attemptId) return;
    if (failure !== TransportFailure.REFUSED && this.walk.length > 0) {
      void this.tryNextTransport(attempt);
      return;
    }
    const connecting = this.state === 'connecting';
    const limit = connecting ? this.options.connectRetries : this.options.reconnect.maxAttempts;
    const retryable = isRetryable(failure, error);
    const scheduled = retryable ? this.retries.schedule(() => this.startAttempt(), limit) : undefined;
    if (scheduled !== undefined) {
      this.emitter.emit('reconnecting', scheduled.attempt, scheduled.delayMs);
      return;
    }
    this.giveUp();
    const report = connecting || !retryable ? error : new DuplexError(ErrorCode.NOT_CONNECTED, `Gave up reconnecting after ${limit} attempts: ${error.message}`, error.details);
    this.emitter.emit('error', report);
  }

  /** A welcomed connection ended: stop, or reconnect (resuming, or for a fresh session after 4003). */
  private onLinkLost(end: LinkCloseInfo): void {
    this.session.linkDown();
    const after = afterClose(end.code);
    let scheduled: ScheduledAttempt | undefined;
    let failure: DuplexError | undefined;
    if (after === 'stop') {
      this.halt();
      this.session.sessionEnded(new DuplexError(ErrorCode.NOT_CONNECTED, `The server ended the session (${closeText(end)})`));
    } else {
      if (after === 'fresh') this.session.sessionGone({ code: ErrorCode.SESSION_EXPIRED, message: `The server ended the session (${closeText(end)})` });
      scheduled = this.options.reconnect.enabled ? this.retries.schedule(() => this.startAttempt()) : undefined;
      if (scheduled !== undefined) {
        this.state = 'reconnecting';
      } else {
        this.giveUp();
        if (this.options.reconnect.enabled) {
          failure = new DuplexError(ErrorCode.NOT_CONNECTED, `Gave up reconnecting after ${this.options.reconnect.maxAttempts} attempts`);
        }
      }
    }
    this.emitter.emit('disconnected', { code: end.code, reason: end.reason });
    if (failure !== undefined) this.emitter.emit('error', failure);
    if (scheduled !== undefined && this.state === 'reconnecting') this.emitter.emit('reconnecting', scheduled.attempt, scheduled.delayMs);
  }

  /** Stops trying but keeps the session, which a later connect() resumes. */
  private giveUp(): void {
    this.state = 'idle';
    this.walk = [];
    this.retries.reset();
    this.settleWaiters(false);
  }

  private settleWaiters(connected: boolean): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve(connected);
  }
}
