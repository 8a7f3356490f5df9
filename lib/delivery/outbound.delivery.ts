import { Inject, Injectable, Logger } from '@nestjs/common';
import { DUPLEX_OUTBOX_STORE, DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import type { PreparedMessage } from '../envelope/prepared-message.js';
import { LinkCloseCode } from '../sessions/link.js';
import type { Session } from '../sessions/session.js';
import { MemoryOutboxStore } from './memory-outbox.store.js';
import type { AppendResult, OutboxStore } from './outbox.store.js';

/**
 * Server → client delivery for every transport: numbers each message (via the store), writes it to
 * the session's link when the link is caught up and has room, and otherwise lets a pump replay
 * from the outbox in batches as the link drains. Acks trim the outbox.
 */
@Injectable()
export class OutboundDelivery {
  private readonly logger = new Logger(OutboundDelivery.name);
  /** The in-memory store appends synchronously: no await on the hot path. */
  private readonly syncStore: MemoryOutboxStore | undefined;

  constructor(
    @Inject(DUPLEX_OUTBOX_STORE) private readonly store: OutboxStore,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {
    this.syncStore = store instanceof MemoryOutboxStore ? store : undefined;
  }

  /** Queues a message to a session; resolves with its seq, or 0 if the session is gone or has just overflowed. */
  async enqueue(session: Session, message: PreparedMessage): Promise<number> {
    if (session.closed || session.overflowed) return 0;
    const result: AppendResult = this.syncStore
      ? this.syncStore.appendNow(session.id, message)
      : await this.store.append(session.id, message);
    if (!result.ok) {
      if (result.reason === 'overflow') this.overflow(session);
      return 0;
    }
    const seq = result.seq;
    const link = session.link;
    if (link === undefined || seq <= session.written) return seq;
    if (!session.pumping && seq === session.written + 1 && link.writable) {
      session.written = seq;
      link.sendSequenced(message, session.id, seq, session.inboundSeq);
      session.inboundAcked = session.inboundSeq;
    } else {
      void this.pump(session);
    }
    return seq;
  }

  /** Queues again a message still in the outbox (not yet acknowledged); 0 if it is gone. */
  async enqueueAgain(session: Session, seq: number): Promise<number> {
    if (seq <= session.acked) return 0;
    const [entry] = await this.store.read(session.id, seq - 1, 1);
    return entry?.seq === seq ? this.enqueue(session, entry.message) : 0;
  }

  /**
   * A link was just attached: the client has processed everything up to `clientLastSeq`, so the
   * rest is replayed. Must run synchronously with sending the welcome (nothing may come between).
   */
  attached(session: Session, clientLastSeq: number, lastAssigned: number): void {
    const processed = Math.min(Math.max(clientLastSeq, 0), lastAssigned);
    if (processed > session.acked) this.acknowledge(session, processed);
    session.written = Math.max(processed, session.acked);
    session.waitingDrain = false;
    void this.pump(session);
  }

  /** A cumulative ack from the client. */
  onAck(session: Session, seq: unknown): void {
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) return;
    // A client cannot have processed what was never written to it.
    const upto = Math.min(seq, session.written);
    if (upto > session.acked) this.acknowledge(session, upto);
  }

  async lastSeq(session: Session): Promise<number> {
    return this.store.lastSeq(session.id);
  }

  private acknowledge(session: Session, upto: number): void {
    session.acked = upto;
    this.store.trim(session.id, upto).catch((err: unknown) => this.logger.error(`Outbox trim failed: ${String(err)}`));
  }

  private overflow(session: Session): void {
    if (session.overflowed) return;
    session.overflowed = true;
    this.logger.warn(`Session ${session.id} passed its outbox limits and was ended`);
    void this.store.delete(session.id);
    session.link?.close(LinkCloseCode.OUTBOX_OVERFLOW, 'outbox overflow');
  }

  private async pump(session: Session): Promise<void> {
    if (session.pumping) {
      session.pumpAgain = true;
      return;
    }
    session.pumping = true;
    try {
      for (;;) {
        session.pumpAgain = false;
        const link = session.link;
        if (link === undefined || session.closed || session.overflowed) return;
        if (!link.writable) {
          if (!session.waitingDrain) {
            session.waitingDrain = true;
            link.onceWritable(() => {
              session.waitingDrain = false;
              void this.pump(session);
            });
          }
          return;
        }
        const from = session.written;
        const batch = await this.store.read(session.id, from, this.options.outbox.replayBatch);
        if (session.link !== link || session.written !== from) continue;
        if (batch.length === 0) {
          if (session.pumpAgain) continue;
          return;
        }
        for (const entry of batch) {
          if (entry.seq !== session.written + 1) break;
          session.written = entry.seq;
          link.sendSequenced(entry.message, session.id, entry.seq, session.inboundSeq);
          session.inboundAcked = session.inboundSeq;
          if (!link.writable) break;
        }
      }
    } catch (err) {
      this.logger.error(`Replay for session ${session.id} failed: ${String(err)}`);
    } finally {
      session.pumping = false;
    }
  }
}
