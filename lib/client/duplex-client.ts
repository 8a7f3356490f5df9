/**
 * The nest-duplex client: one logical session that outlives connections (docs/protocol.md §4–§8).
 * Connections come and go (connection-supervisor.ts, over the transports of transport-selector.ts);
 * the session's outbox, inbound position and pending requests live here and carry over every reconnect.
 */
import { DuplexError } from '../envelope/duplex.error.js';
import type { Envelope, EnvelopeData, ProtocolType } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import type { PreparedMessage } from '../envelope/prepared-message.js';
import { AckScheduler } from './ack-scheduler.js';
import { CallbackRegistry, type DuplexCallback } from './callback-registry.js';
import type { ClientConnection } from './client-connection.js';
import { checkOutgoing, describe, makeBye, makeHello, prepareMessage, toErrorData } from './client-envelopes.js';
import { createClientEmitter, type DuplexClientEvents, type SessionLostInfo } from './client-events.js';
import {
  type DuplexClientOptions,
  type RequestOptions,
  type ResolvedClientOptions,
  resolveClientOptions,
  type SendMessageInput,
} from './client-options.js';
import { ClientOutbox } from './client-outbox.js';
import { ClientSender } from './client-sender.js';
import { CloseCode } from './close-codes.js';
import { ConnectionSupervisor } from './connection-supervisor.js';
import { InboundDispatcher } from './inbound-dispatcher.js';
import { InboundSequencer } from './inbound-sequencer.js';
import { PendingRequests } from './pending-requests.js';
import { TransportSelector } from './transport-selector.js';
import { negotiator } from './transports/negotiate.js';
import { type ClientTransportFactories, DEFAULT_TRANSPORT_FACTORIES } from './transports/transport-factories.js';
import type { Listener } from './typed-emitter.js';
import { resumeFailure, type Welcome } from './welcome.js';

const SEQUENCED_TYPES: ReadonlySet<string> = new Set(['request', 'response', 'notification', 'error']);
/** How long disconnect() waits for the answer to its goodbye (at most; requestTimeoutMs if shorter). */
const BYE_WAIT_MS = 2000;
/** How long disconnect() waits for the server's close frame before dropping the link. */
const CLOSE_GRACE_MS = 1000;

/**
 * A client for a nest-duplex server. Runs in browsers (native WebSocket) and Node (`ws`).
 * @publicApi
 */
export class DuplexClient {
  private readonly options: ResolvedClientOptions;
  private readonly links: ConnectionSupervisor;
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
  private session: { id: string; token: string } | undefined;
  /** Set when the server ended the session (4003): the next hello asks for a fresh one. */
  private lostSession: SessionLostInfo | undefined;
  /** Bumped whenever a session ends, so answers computed for an old session are never sent in a new one. */
  private sessionEpoch = 0;
  private readonly sender: ClientSender;

  /**
   * Throws `bad_request` naming the option when an option is wrong, or when none of the transports
   * asked for can run here. `factories` is internal: tests and transports in development.
   */
  constructor(options: DuplexClientOptions, factories: ClientTransportFactories = {}) {
    this.options = resolveClientOptions(options);
    const { transports, transportOptions, negotiate, transportTimeoutMs } = this.options;
    const ask = negotiate ? negotiator(transportOptions, transportTimeoutMs) : undefined;
    const selector = new TransportSelector(transports, { ...DEFAULT_TRANSPORT_FACTORIES, ...factories }, transportOptions, ask);
    this.outbox = new ClientOutbox(this.options.outboxMaxMessages);
    this.sender = new ClientSender(this.outbox, this.pending, this.inbound, this.acks);
    this.links = new ConnectionSupervisor(this.options, selector, this.emitter, {
      hello: () => this.hello(),
      welcomed: (welcome, reconnected) => this.onWelcome(welcome, reconnected),
      position: () => this.inbound.lastProcessed,
      frame: (connection, envelope) => this.onFrame(connection, envelope),
      linkDown: () => this.acks.cancel(),
      sessionEnded: (error) => this.endSession(error),
      sessionGone: (info) => (this.lostSession = info),
    });
  }

  /** The transport of the welcomed connection; undefined while not connected. */
  get transport(): ProtocolType | undefined {
    return this.links.transport;
  }

  /** The current session's id; kept while reconnecting, cleared by disconnect(). */
  get sessionId(): string | undefined {
    return this.session?.id;
  }

  /** True while a welcomed connection is up. */
  get connected(): boolean {
    return this.links.connected;
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
   * Opens the connection. Resolves true once the welcome arrived, false once the attempt failed
   * (an `error` event says why; its `details.failure` is `refused`, `unreachable` or `blocked`).
   * Each attempt tries the candidate transports in turn; a failed attempt is retried only per
   * `connect.retries`. Later losses are retried per the `reconnect` options. Never rejects.
   */
  connect(): Promise<boolean> {
    return this.links.connect();
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
   * Ends the session: says goodbye to the server (`$bye`) if connected, waits for its answer or the
   * link's end (at most 2 s or `requestTimeoutMs`), then closes the link. Pending requests reject
   * with `not_connected`, queued messages are dropped, nothing reconnects and every timer is
   * cleared. A later connect() opens a fresh session. Never rejects.
   */
  async disconnect(): Promise<void> {
    const sessionId = this.session?.id;
    const wasOpen = this.links.connected;
    const connection = this.links.halt();
    this.endSession(new DuplexError(ErrorCode.NOT_CONNECTED, 'The client disconnected'));
    if (wasOpen) this.emitter.emit('disconnected', { code: CloseCode.NORMAL, reason: 'client disconnect' });
    if (connection === undefined) return;
    if (wasOpen && sessionId !== undefined) await connection.goodbye(makeBye(sessionId), Math.min(BYE_WAIT_MS, this.options.requestTimeoutMs));
    await connection.close(CloseCode.NORMAL, 'client disconnect', CLOSE_GRACE_MS);
  }

  // --- the session ---------------------------------------------------------------------------

  private hello(): Envelope {
    // After a 4003 there is nothing left to resume.
    const session = this.lostSession === undefined ? this.session : undefined;
    return makeHello(session && { sessionId: session.id, resumeToken: session.token, lastSeq: this.inbound.lastProcessed });
  }

  private onWelcome(welcome: Welcome, reconnected: boolean): void {
    const previous = this.session;
    const lost = this.lostSession ?? resumeFailure(previous?.id, welcome);
    this.lostSession = undefined;
    this.session = { id: welcome.sessionId, token: welcome.resumeToken };
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
    const resumed = previous !== undefined && lost === undefined;
    if (reconnected) {
      this.emitter.emit('reconnected', { resumed });
    } else {
      this.emitter.emit('connected', { sessionId: welcome.sessionId, resumed });
    }
    if (lost !== undefined) this.emitter.emit('session_lost', { code: lost.code, message: lost.message });
  }

  /** The session is over: timers, the session and whatever waited in it. */
  private endSession(error: DuplexError): void {
    this.acks.cancel();
    this.pending.rejectAll(error);
    this.outbox.clear();
    this.inbound.reset();
    this.dispatcher.reset();
    this.session = undefined;
    this.lostSession = undefined;
    this.sessionEpoch++;
  }

  // --- traffic -------------------------------------------------------------------------------

  /** Puts outbox messages on the wire: first (after a resume) the un-acked ones again, then the queued ones. */
  private flush(resend: boolean): void {
    const connection = this.links.live;
    if (connection === undefined || this.session === undefined) return;
    this.sender.write(connection, this.session.id, resend);
  }

  private sendAck(): void {
    const connection = this.links.live;
    if (this.session !== undefined && connection !== undefined) this.sender.writeAck(connection, this.session.id);
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
      if (this.links.live === connection) this.acks.noteReceived();
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
