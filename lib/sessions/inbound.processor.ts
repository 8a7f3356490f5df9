import { Inject, Injectable, Logger } from '@nestjs/common';
import { ActionRouter, type DispatchOutcome } from '../actions/action.router.js';
import type { DuplexContext, Handshake } from '../actions/duplex-context.js';
import type { AppendResult, DuplexBroker, OutboxEntry } from '../brokers/broker.js';
import { BrokerUnavailableError } from '../brokers/broker-unavailable.error.js';
import { OutboundDelivery } from '../delivery/outbound.delivery.js';
import { DUPLEX_BROKER, DUPLEX_NODE_ID, DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { DuplexError } from '../envelope/duplex.error.js';
import { BYE_ACTION, type Envelope, HELLO_ACTION, MessageType } from '../envelope/envelope.js';
import { controlEnvelope, preparedError, preparedResponse } from '../envelope/envelope.factory.js';
import { ErrorCode } from '../envelope/error-codes.js';
import type { PreparedMessage } from '../envelope/prepared-message.js';
import { CloseReason } from './close-reason.js';
import { InboundAckFlusher } from './inbound-ack.flusher.js';
import { InflightLimiter } from './inflight.limiter.js';
import type { LiveSession } from './live-session.js';
import { nodeOfRequest } from './request-id.js';
import { RunningWork } from './running-work.js';
import { SessionRegistry } from './session.registry.js';

/** Where an inbound envelope came from, and where its unsequenced replies go. */
export interface InboundSource {
  readonly sessionId: string;
  /** The principal guards see: the one of the connection (or request) the envelope came through. */
  readonly principal: unknown;
  readonly handshake: Handshake;
  /** The push link's state on this node; undefined for the link-less door. */
  readonly live: LiveSession | undefined;
  /** Heartbeat echoes, acks, frame errors, the goodbye's answer. */
  sendControl(envelope: Envelope): void;
  /**
   * The caller took an inflight slot (`InflightLimiter.acquire`) for every envelope that may run a
   * handler (see `mayRunHandler`), and ends it itself: the handler is not counted again.
   */
  readonly holdsSlots?: boolean;
}

const NOTHING: Promise<InboundOutcome> = Promise.resolve({});

/** What processing one envelope produced, for callers that hand replies back (the link-less door). */
export interface InboundOutcome {
  /** The highest client seq the session has received, when the envelope was sequenced. */
  inboundSeq?: number;
  /** The sequenced answer queued for a request (or re-queued for a retry). */
  answer?: OutboxEntry;
  /** The broker could not be reached and recorded nothing: the client must send the envelope again. */
  unreachable?: BrokerUnavailableError;
}

/** Two steps of one envelope, for the link-less door. Neither rejects. */
export interface InboundWork {
  /**
   * The broker's verdict is known (seq checked and recorded, id de-duplicated) and the handler, if
   * any, is about to run; what resolves it is the outcome so far (never an `answer` of the handler).
   * For an envelope that runs no handler it is `finished`.
   */
  accepted: Promise<InboundOutcome>;
  /** Everything is done: the handler's answer is queued. */
  finished: Promise<InboundOutcome>;
}

/** Whether the envelope may run a handler (a request or notification other than `$hello`/`$bye`). */
export function mayRunHandler(envelope: Envelope): boolean {
  if (envelope.type === MessageType.NOTIFICATION) return true;
  return envelope.type === MessageType.REQUEST && envelope.action !== HELLO_ACTION && envelope.action !== BYE_ACTION;
}

/**
 * What happens to each envelope a client sends once its session is known: acks, heartbeats, the
 * goodbye, client-seq and request-id de-duplication (in the broker, so any node can take a retry),
 * and dispatch to the handlers. Transport-neutral: it talks to an InboundSource.
 */
@Injectable()
export class InboundProcessor {
  private readonly logger = new Logger(InboundProcessor.name);
  private readonly running = new RunningWork();

  constructor(
    private readonly router: ActionRouter,
    private readonly delivery: OutboundDelivery,
    private readonly registry: SessionRegistry,
    private readonly acks: InboundAckFlusher,
    private readonly inflight: InflightLimiter,
    @Inject(DUPLEX_BROKER) private readonly broker: DuplexBroker,
    @Inject(DUPLEX_NODE_ID) private readonly node: string,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  /**
   * Never rejects: failures become error envelopes, or the end of the link. Acks and heartbeats
   * (most of the frames a broadcast brings back) are handled at once, without a promise of their own.
   */
  process(source: InboundSource, envelope: Envelope, accepted?: (outcome: InboundOutcome) => void): Promise<InboundOutcome> {
    const { sessionId, live } = source;
    // Any envelope may carry a piggybacked ack of what the server sent.
    if (envelope.ack !== undefined) this.delivery.onAck(sessionId, live, envelope.ack);
    switch (envelope.type) {
      case MessageType.HEARTBEAT:
        if (envelope.reply_to === undefined) {
          source.sendControl(controlEnvelope(MessageType.HEARTBEAT, sessionId, {}, { reply_to: envelope.id }));
        }
        return NOTHING;
      case MessageType.ACK:
        this.delivery.onAck(sessionId, live, envelope.data.seq);
        return NOTHING;
    }
    return this.running.track(
      this.handle(source, envelope, accepted).catch((err: unknown) => {
        this.logger.error(`Processing ${envelope.type} "${envelope.action}" of session ${sessionId} failed: ${String(err)}`);
        // The broker was unreachable and recorded nothing: no answer, so the client's resend after
        // it resumes is processed once the broker answers again. Otherwise what the broker recorded
        // is unknown (a resend may be taken for a duplicate and not run): the client is told now.
        const unreachable = err instanceof BrokerUnavailableError && !err.mayHaveRun ? err : undefined;
        if (unreachable === undefined) source.sendControl(this.error(source, new DuplexError(ErrorCode.INTERNAL, 'Internal server error'), envelope.id));
        // The client resumes and resends what was not acknowledged; de-duplication sorts it out.
        live?.link.close(CloseReason.INTERNAL_ERROR, 'internal error');
        return { unreachable };
      }),
    );
  }

  /** `process` in two steps: the link-less door answers at `accepted`, before a handler finishes. */
  start(source: InboundSource, envelope: Envelope): InboundWork {
    let accept!: (outcome: InboundOutcome) => void;
    const accepted = new Promise<InboundOutcome>((resolve) => (accept = resolve));
    // Paths that run no handler (and failures) resolve `accepted` with the final outcome; a second resolve is a no-op.
    const finished = this.process(source, envelope, accept).then((outcome) => {
      accept(outcome);
      return outcome;
    });
    return { accepted, finished };
  }

  /**
   * At shutdown, before the node leaves the broker: lets the envelopes being processed finish (their
   * answers reach the outbox, to be read on a resume) for up to `timeoutMs`.
   */
  async drain(timeoutMs: number): Promise<void> {
    const pending = this.running.size;
    if (!(await this.running.settled(timeoutMs))) {
      this.logger.warn(`Shutdown: ${this.running.size} of ${pending} client messages still running after ${timeoutMs} ms; their answers are lost`);
    }
  }

  private async handle(source: InboundSource, envelope: Envelope, accepted?: (outcome: InboundOutcome) => void): Promise<InboundOutcome> {
    const { sessionId, live } = source;
    if (envelope.type === MessageType.REQUEST && envelope.action === HELLO_ACTION) {
      source.sendControl(this.error(source, new DuplexError(ErrorCode.BAD_REQUEST, 'The session is already open'), envelope.id));
      return {};
    }
    if (envelope.type === MessageType.REQUEST && envelope.action === BYE_ACTION) {
      source.sendControl(controlEnvelope(MessageType.RESPONSE, sessionId, {}, { action: BYE_ACTION, reply_to: envelope.id }));
      await this.registry.end(sessionId, ErrorCode.SESSION_EXPIRED, CloseReason.NORMAL);
      return {};
    }
    const runs = envelope.type === MessageType.REQUEST || envelope.type === MessageType.NOTIFICATION;
    if (envelope.seq === undefined && !runs) {
      this.routeAnswer(sessionId, envelope);
      return {};
    }
    const verdict = await this.broker.inbound.accept(sessionId, {
      seq: envelope.seq,
      id: runs ? envelope.id : undefined,
      window: this.options.dedupWindow,
    });
    switch (verdict.kind) {
      case 'missing':
        source.sendControl(this.error(source, new DuplexError(ErrorCode.SESSION_EXPIRED, 'The session has ended'), envelope.id));
        return {};
      case 'gap':
        // A gap would make the skipped seqs look received: refused, so nothing is lost silently.
        source.sendControl(
          this.error(source, new DuplexError(ErrorCode.BAD_ENVELOPE, `"seq" ${envelope.seq} skips ahead: the next expected is ${verdict.expected}`), envelope.id),
        );
        return {};
      case 'duplicate':
        // Already received (a resend after a reconnect): acknowledged again, never run twice.
        if (live !== undefined) this.acks.duplicate(live);
        return { inboundSeq: verdict.inboundSeq };
      case 'seen': {
        this.received(live, envelope, verdict.inboundSeq);
        // A retry of a message already run: answered again while the answer is un-acked, never re-run.
        if (verdict.answerSeq === 0) return { inboundSeq: verdict.inboundSeq };
        const seq = await this.delivery.enqueueAgain(sessionId, verdict.answerSeq);
        return { inboundSeq: verdict.inboundSeq, answer: await this.entry(sessionId, seq) };
      }
    }
    this.received(live, envelope, verdict.inboundSeq);
    const inboundSeq = envelope.seq === undefined ? undefined : verdict.inboundSeq;
    if (!runs) {
      this.routeAnswer(sessionId, envelope);
      return { inboundSeq };
    }
    envelope.session_id = sessionId;
    accepted?.({ inboundSeq });
    return { inboundSeq, answer: await this.dispatch(source, envelope) };
  }

  private received(live: LiveSession | undefined, envelope: Envelope, inboundSeq: number): void {
    if (envelope.seq === undefined || live === undefined) return;
    if (inboundSeq > live.inboundSeq) live.inboundSeq = inboundSeq;
    this.acks.received(live);
  }

  private async dispatch(source: InboundSource, envelope: Envelope): Promise<OutboxEntry | undefined> {
    const context: DuplexContext = {
      sessionId: source.sessionId,
      principal: source.principal,
      handshake: source.handshake,
      envelope,
    };
    const counted = source.holdsSlots !== true;
    if (counted) this.inflight.began(source.sessionId);
    let outcome: DispatchOutcome;
    try {
      outcome = await this.router.dispatch(context);
    } finally {
      if (counted) this.inflight.ended(source.sessionId);
    }
    if (outcome.ok && envelope.type === MessageType.NOTIFICATION) return undefined;
    const message = this.answer(envelope, outcome);
    let result: AppendResult;
    try {
      result = await this.delivery.enqueue(source.sessionId, message, envelope.id);
    } catch (err) {
      if (!(err instanceof BrokerUnavailableError)) throw err;
      // The handler ran: its client hears that the answer is lost rather than wait (a retry does not run it again).
      this.logger.error(`The answer to "${envelope.action}" of session ${source.sessionId} could not be stored: ${err.message}`);
      source.sendControl(this.error(source, new DuplexError(ErrorCode.INTERNAL, 'The request ran, but its answer could not be stored'), envelope.id));
      source.live?.link.close(CloseReason.INTERNAL_ERROR, 'internal error');
      return undefined;
    }
    return result.ok ? { seq: result.seq, message } : undefined;
  }

  /** A client's `response`/`error` to a server request: settled here, or routed to the node that asked. */
  private routeAnswer(sessionId: string, envelope: Envelope): void {
    if (this.registry.pending.settle(sessionId, envelope)) return;
    const node = nodeOfRequest(envelope.reply_to);
    // An answer matching no request of any node is ignored (docs/protocol.md §8).
    if (node === undefined || node === this.node) return;
    this.broker.bus
      .send(node, { kind: 'answer', sessionId, envelope })
      .catch((err: unknown) => this.logger.error(`Routing an answer to node ${node} failed: ${String(err)}`));
  }

  private async entry(sessionId: string, seq: number): Promise<OutboxEntry | undefined> {
    if (seq === 0) return undefined;
    const read = await this.broker.outbox.read(sessionId, seq - 1, 1);
    return read.ok && read.entries[0]?.seq === seq ? read.entries[0] : undefined;
  }

  private answer(envelope: Envelope, outcome: DispatchOutcome): PreparedMessage {
    if (outcome.ok) {
      try {
        return preparedResponse(envelope, outcome.data);
      } catch (err) {
        // e.g. a BigInt or a cycle in the result: the client still gets an answer.
        this.logger.error(`The result of "${envelope.action}" cannot be sent as JSON: ${String(err)}`);
        return preparedError(new DuplexError(ErrorCode.INTERNAL, 'Internal server error'), envelope.id, envelope.action);
      }
    }
    return preparedError(outcome.error, envelope.id, envelope.action);
  }

  private error(source: InboundSource, error: DuplexError, replyTo: string): Envelope {
    return controlEnvelope(MessageType.ERROR, source.sessionId, error.toData(), { reply_to: replyTo });
  }
}
