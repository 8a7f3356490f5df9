import { Inject, Injectable, Logger } from '@nestjs/common';
import { ActionRouter, type DispatchOutcome } from '../actions/action.router.js';
import type { DuplexContext } from '../actions/duplex-context.js';
import { OutboundDelivery } from '../delivery/outbound.delivery.js';
import { DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { DuplexError } from '../envelope/duplex.error.js';
import { type Envelope, HELLO_ACTION, MessageType } from '../envelope/envelope.js';
import { controlEnvelope, preparedError, preparedResponse } from '../envelope/envelope.factory.js';
import { ErrorCode } from '../envelope/error-codes.js';
import type { PreparedMessage } from '../envelope/prepared-message.js';
import { InboundAckFlusher } from './inbound-ack.flusher.js';
import type { Link } from './link.js';
import type { Session } from './session.js';
import { SessionRegistry } from './session.registry.js';

/**
 * What happens to each envelope a client sends once its session is known: heartbeats and acks,
 * client-seq de-duplication and acknowledgement, request-id de-duplication, and dispatch to the
 * handlers. Transport-neutral: it only talks to the Link interface.
 */
@Injectable()
export class InboundProcessor {
  private readonly logger = new Logger(InboundProcessor.name);
  constructor(
    private readonly router: ActionRouter,
    private readonly delivery: OutboundDelivery,
    private readonly registry: SessionRegistry,
    private readonly acks: InboundAckFlusher,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  process(session: Session, link: Link, envelope: Envelope): void {
    // Any envelope may carry a piggybacked ack of what the server sent.
    if (envelope.ack !== undefined) this.delivery.onAck(session, envelope.ack);
    switch (envelope.type) {
      case MessageType.HEARTBEAT:
        if (envelope.reply_to === undefined) {
          link.sendControl(controlEnvelope(MessageType.HEARTBEAT, session.id, {}, { reply_to: envelope.id }));
        }
        return;
      case MessageType.ACK:
        this.delivery.onAck(session, envelope.data.seq);
        return;
    }
    if (envelope.type === MessageType.REQUEST && envelope.action === HELLO_ACTION) {
      link.sendControl(
        controlEnvelope(MessageType.ERROR, session.id, new DuplexError(ErrorCode.BAD_REQUEST, 'The session is already open on this connection').toData(), { reply_to: envelope.id }),
      );
      return;
    }
    if (envelope.seq !== undefined) {
      if (envelope.seq <= session.inboundSeq) {
        // Already received (a resend after a reconnect): acknowledge again, never run twice.
        this.acks.duplicate(session);
        return;
      }
      if (envelope.seq > session.inboundSeq + 1) {
        // A gap would make the skipped seqs look received: refuse it, so nothing is lost silently.
        const gap = new DuplexError(ErrorCode.BAD_ENVELOPE, `"seq" ${envelope.seq} skips ahead: the next expected is ${session.inboundSeq + 1}`);
        link.sendControl(controlEnvelope(MessageType.ERROR, session.id, gap.toData(), { reply_to: envelope.id }));
        return;
      }
      session.inboundSeq = envelope.seq;
      this.acks.received(session);
    }
    envelope.session_id = session.id;
    switch (envelope.type) {
      case MessageType.REQUEST:
      case MessageType.NOTIFICATION:
        this.dispatch(session, link, envelope).catch((err: unknown) =>
          this.logger.error(`Answering ${envelope.type} "${envelope.action}" failed: ${String(err)}`),
        );
        return;
      default:
        // response / error: the answer to a server → client request.
        this.registry.pending.settle(session.id, envelope);
    }
  }

  private async dispatch(session: Session, link: Link, envelope: Envelope): Promise<void> {
    const seen = session.seen.get(envelope.id);
    if (seen !== undefined) {
      // A retry of a message already run: answer again while the answer is un-acked, never re-run.
      if (seen.answerSeq > 0) await this.delivery.enqueueAgain(session, seen.answerSeq);
      return;
    }
    const record = { answerSeq: 0 };
    session.seen.add(envelope.id, record);
    const context: DuplexContext = {
      sessionId: session.id,
      principal: session.principal,
      handshake: link.handshake,
      envelope,
    };
    this.began(session);
    let outcome: DispatchOutcome;
    try {
      outcome = await this.router.dispatch(context);
    } finally {
      this.ended(session);
    }
    if (outcome.ok && envelope.type === MessageType.NOTIFICATION) return;
    record.answerSeq = await this.delivery.enqueue(session, this.answer(envelope, outcome));
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

  /**
   * Flow control: past `maxInflight` handlers of one session still running, the link stops being
   * read (TCP pushes back on the client); it is read again once half of them have finished.
   */
  private began(session: Session): void {
    session.inflight++;
    if (session.inflight === this.options.maxInflight) session.link?.pauseReading();
  }

  private ended(session: Session): void {
    session.inflight--;
    if (session.inflight === Math.floor(this.options.maxInflight / 2)) session.link?.resumeReading();
  }
}
