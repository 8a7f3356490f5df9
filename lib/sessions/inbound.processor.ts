import { Inject, Injectable } from '@nestjs/common';
import { ActionRouter } from '../actions/action.router.js';
import type { DuplexContext } from '../actions/duplex-context.js';
import { OutboundDelivery } from '../delivery/outbound.delivery.js';
import { DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { DuplexError } from '../envelope/duplex.error.js';
import { type Envelope, HELLO_ACTION, MessageType } from '../envelope/envelope.js';
import { controlEnvelope, preparedError, preparedResponse } from '../envelope/envelope.factory.js';
import { ErrorCode } from '../envelope/error-codes.js';
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
  constructor(
    private readonly router: ActionRouter,
    private readonly delivery: OutboundDelivery,
    private readonly registry: SessionRegistry,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  process(session: Session, link: Link, envelope: Envelope): void {
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
        this.scheduleAck(session, false);
        return;
      }
      session.inboundSeq = envelope.seq;
      this.scheduleAck(session, false);
    }
    envelope.session_id = session.id;
    switch (envelope.type) {
      case MessageType.REQUEST:
      case MessageType.NOTIFICATION:
        void this.dispatch(session, link, envelope);
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
    session.seen.set(envelope.id, record);
    if (session.seen.size > this.options.dedupWindow) {
      session.seen.delete(session.seen.keys().next().value as string);
    }
    const context: DuplexContext = {
      sessionId: session.id,
      principal: session.principal,
      handshake: link.handshake,
      envelope,
    };
    const outcome = await this.router.dispatch(context);
    if (outcome.ok && envelope.type === MessageType.NOTIFICATION) return;
    const reply = outcome.ok
      ? preparedResponse(envelope, outcome.data)
      : preparedError(outcome.error, envelope.id, envelope.action);
    record.answerSeq = await this.delivery.enqueue(session, reply);
  }

  /** Acknowledges the client's seq after `ack.intervalMs` or `ack.maxMessages`, whichever first. */
  private scheduleAck(session: Session, now: boolean): void {
    if (now || session.inboundSeq - session.inboundAcked >= this.options.ack.maxMessages) {
      this.sendAck(session);
      return;
    }
    if (session.ackTimer === undefined) {
      session.ackTimer = setTimeout(() => this.sendAck(session), this.options.ack.intervalMs);
    }
  }

  private sendAck(session: Session): void {
    clearTimeout(session.ackTimer);
    session.ackTimer = undefined;
    const link = session.link;
    if (link === undefined || session.closed) return;
    session.inboundAcked = session.inboundSeq;
    link.sendControl(controlEnvelope(MessageType.ACK, session.id, { seq: session.inboundSeq }));
  }
}
