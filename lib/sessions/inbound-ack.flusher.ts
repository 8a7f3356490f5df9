import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { MessageType } from '../envelope/envelope.js';
import { controlEnvelope } from '../envelope/envelope.factory.js';
import type { LiveSession } from './live-session.js';

/**
 * Acknowledges what clients sent (their `seq`): at once past `ack.maxMessages` un-acked, else on
 * one shared timer every `ack.intervalMs` for all sessions with something to acknowledge. Most
 * acks never need a frame of their own: every sequenced message the server writes carries one
 * (`ack` on the envelope), so in request/response traffic this only sweeps up the rest.
 */
@Injectable()
export class InboundAckFlusher implements OnApplicationShutdown {
  private readonly dirty = new Set<LiveSession>();
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions) {}

  /** A new client message with a seq was received. */
  received(session: LiveSession): void {
    if (session.inboundSeq - session.inboundAcked >= this.options.ack.maxMessages) {
      this.send(session);
      return;
    }
    this.mark(session);
  }

  /** A duplicate was received: the client missed an ack, so one is owed even if nothing is new. */
  duplicate(session: LiveSession): void {
    session.ackOwed = true;
    this.mark(session);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.dirty.clear();
  }

  private mark(session: LiveSession): void {
    this.dirty.add(session);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.flush(), this.options.ack.intervalMs);
      this.timer.unref();
    }
  }

  private flush(): void {
    if (this.dirty.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    for (const session of this.dirty) this.send(session);
    this.dirty.clear();
  }

  private send(session: LiveSession): void {
    const link = session.link;
    if (session.closed) return;
    if (session.inboundAcked >= session.inboundSeq && !session.ackOwed) return;
    session.inboundAcked = session.inboundSeq;
    session.ackOwed = false;
    link.sendControl(controlEnvelope(MessageType.ACK, session.id, { seq: session.inboundSeq }));
  }
}
