/**
 * The nest-duplex client: one logical session that outlives connections (docs/protocol.md §4–§8).
 * Connections come and go (client-connection.ts); the session's outbox, inbound position and
 * pending requests live here and carry over every reconnect.
 */
import { DuplexError } from '../envelope/duplex.error.js';
import type { Envelope, EnvelopeData } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { AckScheduler } from './ack-scheduler.js';
import { CallbackRegistry, type DuplexCallback } from './callback-registry.js';
import { ClientConnection, type ConnectionEnd } from './client-connection.js';
import { checkOutgoing, describe, makeBye, makeHello, prepareMessage, toErrorData } from './client-envelopes.js';
import { ClientSender } from './client-sender.js';
import { createClientEmitter, type DuplexClientEvents } from './client-events.js';
import {
  type DuplexClientOptions,
  type RequestOptions,
  type ResolvedClientOptions,
  resolveClientOptions,
  type SendMessageInput,
} from './client-options.js';
import { ClientOutbox } from './client-outbox.js';
import { InboundDispatcher } from './inbound-dispatcher.js';
import { InboundSequencer } from './inbound-sequencer.js';
import { PendingRequests } from './pending-requests.js';
import { ReconnectScheduler, type ScheduledAttempt } from './reconnect-scheduler.js';
import type { ClientTransport } from './transports/client-transport.js';
import { createClientTransport } from './transports/create-client-transport.js';
import type { Listener } from './typed-emitter.js';
import type { PreparedMessage } from '../envelope/prepared-message.js';
import { resumeFailure, type Welcome } from './welcome.js';

/** idle: no link and none coming; connecting: a connect() attempt; reconnecting: waiting or retrying. */
type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting';

/** Close codes after which the session is over (docs/protocol.md §2): normal close and taken over. */
const NO_RECONNECT_CODES: ReadonlySet<number> = new Set([1000, 4000]);
const SEQUENCED_TYPES: ReadonlySet<string> = new Set(['request', 'response', 'notification', 'error']);
/** How long disconnect() waits for the server's close frame before dropping the link. */
const CLOSE_GRACE_MS = 1000;

/**
 * A client for a nest-duplex server. Runs in browsers (native WebSocket) and Node (`ws`).
 * @publicApi
 */
export class DuplexClient {
  private readonly options: ResolvedClientOptions;
  private readonly emitter = createClientEmitter();
  private readonly outbox: ClientOutbox;
  private readonly inbound = new InboundSequencer();
  private readonly pending = new PendingRequests();
  private readonly acks = new AckScheduler(() => this.sendAck());
  private readonly callbacks = new CallbackRegistry();
  private readonly dispatcher = new InboundDispatcher(this.pending, this.callbacks, {
    error: (error) => this.emitter.emit('error', error),
    reply: (request, type, data) => this.enqueueReply(request, type, data),
    sessionEpoch: () => this.sessionEpoch,
  });
  private transport: Promise<ClientTransport> | undefined;
  private state: ClientState = 'idle';
  private connection: ClientConnection | undefined;
  private session: { id: string; token: string } | undefined;
  /** Bumped whenever a session ends, so answers computed for an old session are never sent in a new one. */
  private sessionEpoch = 0;
  /** Bumped by every attempt and by disconnect(), so an attempt that lost the race stops. */
  private attemptId = 0;
  private readonly reconnects: ReconnectScheduler;
  private readonly sender: ClientSender;
  private waiters: Array<(connected: boolean) => void> = [];

  constructor(options: DuplexClientOptions) {
    this.options = resolveClientOptions(options);
    this.outbox = new ClientOutbox(this.options.outboxMaxMessages);
    this.sender = new ClientSender(this.outbox, this.pending, this.inbound, this.acks);
    this.reconnects = new ReconnectScheduler(this.options.reconnect, this.options.random);
  }

  /** The current session's id; kept while reconnecting, cleared by disconnect(). */
  get sessionId(): string | undefined {
    return this.session?.id;
  }

  /** True while a welcomed connection is up. */
  get connected(): boolean {
    return this.state === 'open';
  }

  on<K extends keyof DuplexClientEvents>(event: K, listener: Listener<DuplexClientEvents[K]>): this {
    this.emitter.on(event, listener);
    return this;
  }

  off<K extends keyof DuplexClientEvents>(event: K, listener: Listener<DuplexClientEvents[K]>): this {
    this.emitter.off(event, listener);
    return this;
  }

  /**
   * Opens the connection. Resolves true once the welcome arrived, false if this attempt failed (an
   * `error` event says why; `unauthenticated` for HTTP 401). A failed first attempt is not retried;
   * later losses are, per the `reconnect` options. Never rejects.
   */
  connect(): Promise<boolean> {
    if (this.state === 'open') return Promise.resolve(true);
    const outcome = new Promise<boolean>((resolve) => this.waiters.push(resolve));
    if (this.state === 'idle') {
      this.state = 'connecting';
      void this.openConnection();
    }
    return outcome;
  }

  /** Handles server notifications and requests for `action`; returns a function that unregisters it. */
  registerCallback(action: string, fn: DuplexCallback): () => void {
    return this.callbacks.register(action, fn);
  }

  /**
   * Sends a notification, or queues it while offline; delivered once, in order, across reconnects.
   * Throws `outbox_overflow` when `outbox.maxMessages` are already waiting, `bad_envelope` on bad input.
   */
  sendMessage(message: SendMessageInput): string {
    const data = message.data ?? {};
    checkOutgoing(message.action, data);
    const prepared = this.queue(prepareMessage('notification', message.action, data));
    this.flush(false);
    return prepared.id;
  }

  /**
   * Sends a request and resolves with the response's `data`. Rejects with a DuplexError carrying
   * the server's code, or `timeout`. Queued while offline; the deadline keeps running meanwhile.
   */
  request(action: string, data: EnvelopeData = {}, options: RequestOptions = {}): Promise<EnvelopeData> {
    let id: string;
    try {
      checkOutgoing(action, data);
      id = this.queue(prepareMessage('request', action, data)).id;
    } catch (error) {
      return Promise.reject(error);
    }
    // A request that never left the outbox when its deadline passed is withdrawn: nobody awaits it.
    const answer = this.pending.add(id, action, options.timeoutMs ?? this.options.requestTimeoutMs, (expired) =>
      this.outbox.cancel(expired),
    );
    this.flush(false);
    return answer;
  }

  /**
   * Closes with 1000 and ends the session: no reconnect, pending requests are rejected with
   * `not_connected`, queued messages are dropped, every timer is cleared. A later connect() opens a
   * fresh session. Never rejects.
   */
  async disconnect(): Promise<void> {
    const connection = this.connection;
    const wasOpen = this.state === 'open';
    // Tell the server what we processed, so nothing is kept for a replay that will not come.
    if (wasOpen) this.acks.flush();
    // The goodbye ends the session on the server; a close alone would leave it resumable until its TTL.
    if (wasOpen) connection?.send(JSON.stringify(makeBye()));
    this.stop(new DuplexError(ErrorCode.NOT_CONNECTED, 'The client disconnected'));
    if (wasOpen) this.emitter.emit('disconnected', { code: 1000, reason: 'client disconnect' });
    if (connection !== undefined) await connection.close(1000, 'client disconnect', CLOSE_GRACE_MS);
  }

  // --- connections ---------------------------------------------------------------------------

  private async openConnection(): Promise<void> {
    const attempt = ++this.attemptId;
    try {
      const transport = await (this.transport ??= createClientTransport(this.options.protocolType, this.options.WebSocket));
      if (attempt !== this.attemptId) return;
      const resume = this.session && { sessionId: this.session.id, resumeToken: this.session.token, lastSeq: this.inbound.lastProcessed };
      const settings = {
        url: this.options.url,
        hello: makeHello(resume),
        handshakeTimeoutMs: this.options.requestTimeoutMs,
        heartbeatTimeoutMs: this.options.heartbeatTimeoutMs,
      };
      const connection: ClientConnection = new ClientConnection(transport, settings, {
        welcomed: (welcome) => this.connection === connection && this.onWelcome(welcome),
        frame: (envelope) => this.connection === connection && this.onFrame(connection, envelope),
        problem: (error) => this.connection === connection && this.emitter.emit('error', error),
        ended: (end) => this.connection === connection && this.onEnded(end),
      });
      this.connection = connection;
      connection.start();
    } catch (error) {
      // Only a missing WebSocket implementation gets here; forget it so a later connect() looks again.
      this.transport = undefined;
      if (attempt !== this.attemptId) return;
      const reason = error instanceof DuplexError ? error : new DuplexError(ErrorCode.NOT_CONNECTED, describe(error));
      this.onEnded({ code: 1006, reason: reason.message, welcomed: false, error: reason });
    }
  }

  private onWelcome(welcome: Welcome): void {
    const previous = this.session;
    const lost = resumeFailure(previous?.id, welcome);
    const wasReconnecting = this.state === 'reconnecting';
    this.session = { id: welcome.sessionId, token: welcome.resumeToken };
    this.state = 'open';
    this.reconnects.reset();
    this.acks.configure(welcome.ack);
    this.sender.maxPayload = welcome.maxPayload;
    if (previous === undefined || lost !== undefined) {
      // A fresh session: what was sent belonged to the old one; what was never sent goes out now.
      this.sessionEpoch++;
      this.inbound.reset();
      this.dispatcher.reset();
      this.pending.rejectSent(new DuplexError(lost?.code ?? ErrorCode.SESSION_EXPIRED, lost?.message ?? 'Session lost'));
      this.outbox.dropSent();
    } else {
      this.outbox.ack(welcome.lastSeq);
    }
    this.flush(true);
    this.settleWaiters(true);
    const resumed = previous !== undefined && lost === undefined;
    if (wasReconnecting) {
      this.emitter.emit('reconnected', { resumed });
    } else {
      this.emitter.emit('connected', { sessionId: welcome.sessionId, resumed });
    }
    if (lost !== undefined) this.emitter.emit('session_lost', { code: lost.code, message: lost.message });
  }

  private onEnded(end: ConnectionEnd): void {
    const previous = this.state;
    this.connection = undefined;
    this.acks.cancel();
    if (previous === 'connecting') {
      // The attempt of a connect() call: reported, not retried.
      this.state = 'idle';
      this.settleWaiters(false);
      const reason = end.reason || `close code ${end.code}`;
      this.emitter.emit('error', end.error ?? new DuplexError(ErrorCode.NOT_CONNECTED, `Could not connect to ${this.options.url}: ${reason}`));
      return;
    }
    let scheduled: ScheduledAttempt | undefined;
    let failure: DuplexError | undefined;
    if (NO_RECONNECT_CODES.has(end.code)) {
      this.stop(new DuplexError(ErrorCode.NOT_CONNECTED, `The server ended the session (${end.code}${end.reason ? ` ${end.reason}` : ''})`));
    } else if (end.error?.code === ErrorCode.UNAUTHENTICATED) {
      // The server's definite "no": retrying with the same credentials cannot succeed. The session
      // is kept, so a connect() with valid credentials can still resume it.
      failure = end.error;
      this.giveUp();
    } else if (!this.options.reconnect.enabled) {
      this.giveUp();
    } else {
      scheduled = this.reconnects.schedule(() => void this.openConnection());
      if (scheduled !== undefined) {
        this.state = 'reconnecting';
      } else {
        this.giveUp();
        failure = new DuplexError(ErrorCode.NOT_CONNECTED, `Gave up reconnecting after ${this.options.reconnect.maxAttempts} attempts`);
      }
    }
    if (end.welcomed) this.emitter.emit('disconnected', { code: end.code, reason: end.reason });
    if (failure !== undefined) this.emitter.emit('error', failure);
    if (scheduled !== undefined && this.state === 'reconnecting') {
      this.emitter.emit('reconnecting', scheduled.attempt, scheduled.delayMs);
    }
  }

  /** Stops trying but keeps the session, which a later connect() resumes. */
  private giveUp(): void {
    this.state = 'idle';
    this.reconnects.reset();
    this.settleWaiters(false);
  }

  /** Ends everything: links, timers, the session and whatever waited in it. */
  private stop(error: DuplexError): void {
    this.state = 'idle';
    this.connection = undefined;
    this.attemptId++;
    this.reconnects.reset();
    this.acks.cancel();
    this.pending.rejectAll(error);
    this.outbox.clear();
    this.inbound.reset();
    this.dispatcher.reset();
    this.session = undefined;
    this.sessionEpoch++;
    this.settleWaiters(false);
  }

  private settleWaiters(connected: boolean): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve(connected);
  }

  // --- traffic -------------------------------------------------------------------------------

  /** Puts outbox messages on the wire: first (after a resume) the un-acked ones again, then the queued ones. */
  private flush(resend: boolean): void {
    const connection = this.connection;
    if (this.state !== 'open' || connection === undefined || !connection.isLive || this.session === undefined) return;
    this.sender.write(connection, this.session.id, resend);
  }

  private sendAck(): void {
    if (this.session !== undefined && this.connection !== undefined) this.sender.writeAck(this.connection, this.session.id);
  }

  private onFrame(connection: ClientConnection, envelope: Envelope): void {
    if (envelope.ack !== undefined) this.outbox.ack(envelope.ack);
    if (envelope.type === 'ack') {
      const seq = envelope.data.seq;
      if (typeof seq === 'number') this.outbox.ack(seq);
      return;
    }
    if (envelope.seq !== undefined && SEQUENCED_TYPES.has(envelope.type)) {
      const verdict = this.inbound.accept(envelope.seq);
      if (verdict === 'gap') {
        // Never happens on a healthy session (§5): resume from the last processed seq.
        connection.kill(`protocol error: expected seq ${this.inbound.lastProcessed + 1}, got ${envelope.seq}`);
        return;
      }
      if (verdict === 'deliver') this.dispatcher.dispatch(envelope);
      // A duplicate is acked too: it means the server missed our last ack. The check guards
      // against a callback that disconnected meanwhile (no timer may outlive the connection).
      if (this.connection === connection) this.acks.noteReceived();
      return;
    }
    this.dispatcher.dispatch(envelope);
  }

  private queue(message: PreparedMessage): PreparedMessage {
    return this.sender.queue(message, this.session?.id.length ?? 32);
  }

  private enqueueReply(request: Envelope, type: 'response' | 'error', data: EnvelopeData): void {
    try {
      this.queue(prepareMessage(type, request.action, data, request.id));
    } catch (error) {
      if (type === 'response' && error instanceof DuplexError && (error.code === ErrorCode.BAD_ENVELOPE || error.code === ErrorCode.TOO_LARGE)) {
        // The callback's result cannot be encoded: report it here, and still answer the server.
        this.emitter.emit('error', error);
        this.enqueueReply(request, 'error', toErrorData(undefined));
        return;
      }
      this.emitter.emit('error', error instanceof DuplexError ? error : new DuplexError(ErrorCode.INTERNAL, describe(error)));
      return;
    }
    this.flush(false);
  }
}
