import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppendResult, DuplexBroker } from '../brokers/broker.js';
import { BrokerUnavailableError } from '../brokers/broker-unavailable.error.js';
import { DUPLEX_BROKER, DUPLEX_NODE_ID, DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { ErrorCode } from '../envelope/error-codes.js';
import type { PreparedMessage } from '../envelope/prepared-message.js';
import { CloseReason } from '../sessions/close-reason.js';
import type { LiveSession } from '../sessions/live-session.js';
import { LocalSessions } from '../sessions/local-sessions.js';
import { SessionRegistry } from '../sessions/session.registry.js';
import { PullWaiters } from './pull.waiters.js';

/**
 * Server → client delivery for push links: every message is numbered by the broker; a link that
 * is caught up and has room gets it at once, otherwise a pump replays from the outbox in batches
 * as the link drains. Acks trim the outbox. The store is never trusted: a gap, another epoch or a
 * failing read ends the session with a clear reason instead of looping or skipping; a store that
 * cannot be reached closes the link and keeps the session, which the client resumes.
 */
@Injectable()
export class OutboundDelivery {
  private readonly logger = new Logger(OutboundDelivery.name);

  constructor(
    @Inject(DUPLEX_BROKER) private readonly broker: DuplexBroker,
    @Inject(DUPLEX_NODE_ID) private readonly node: string,
    private readonly locals: LocalSessions,
    private readonly registry: SessionRegistry,
    private readonly waiters: PullWaiters,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  /**
   * Queues a message to a session (on whichever node its link is). An overflow ends the session.
   * `answers` names the client request it answers, for de-duplication of a retry.
   */
  async enqueue(sessionId: string, message: PreparedMessage, answers?: string): Promise<AppendResult> {
    const result = await this.broker.outbox.append(sessionId, message, this.options.outbox, { origin: this.node, answers });
    if (!result.ok) {
      if (result.reason === 'overflow') await this.overflow(sessionId);
      return result;
    }
    this.deliver(sessionId, message, result.seq);
    return result;
  }

  /** One message to many sessions, in one broker step (a broadcast): one result per id, in order. */
  async enqueueMany(sessionIds: readonly string[], message: PreparedMessage): Promise<AppendResult[]> {
    if (sessionIds.length === 0) return [];
    const results = await this.broker.outbox.appendMany(sessionIds, message, this.options.outbox, { origin: this.node });
    const overflowed: Promise<void>[] = [];
    for (let i = 0; i < results.length; i++) {
      const result = results[i];
      if (result.ok) this.deliver(sessionIds[i], message, result.seq);
      else if (result.reason === 'overflow') overflowed.push(this.overflow(sessionIds[i]));
    }
    await Promise.all(overflowed);
    return results;
  }

  /** A message the broker numbered: written at once to a caught-up local link with room, else pumped. */
  private deliver(sessionId: string, message: PreparedMessage, seq: number): void {
    this.waiters.wake(sessionId);
    const live = this.locals.get(sessionId);
    if (live === undefined || seq <= live.written) return;
    if (!live.pumping && seq === live.written + 1 && live.link.writable) {
      live.written = seq;
      live.link.sendSequenced(message, sessionId, seq, live.inboundSeq);
      live.inboundAcked = live.inboundSeq;
    } else {
      void this.pump(live);
    }
  }

  /** Queues again a message still in the outbox (a retried request's answer); 0 if it is gone. */
  async enqueueAgain(sessionId: string, seq: number): Promise<number> {
    const read = await this.broker.outbox.read(sessionId, seq - 1, 1);
    if (!read.ok) return 0;
    const entry = read.entries[0];
    if (entry?.seq !== seq) return 0;
    const result = await this.enqueue(sessionId, entry.message);
    return result.ok ? result.seq : 0;
  }

  /**
   * A link was just attached: the client has processed everything up to `clientLastSeq` (clamped to
   * what was given out), so the rest is replayed. Runs right after the welcome, nothing between.
   */
  attached(live: LiveSession, clientLastSeq: number, lastSeq: number, trimmed: number): void {
    const processed = Math.min(Math.max(clientLastSeq, 0), lastSeq);
    live.acked = trimmed;
    if (processed > trimmed) this.acknowledge(live.id, live, processed);
    live.written = Math.max(processed, trimmed);
    void this.pump(live);
  }

  /** Another node appended to this session's outbox. */
  wake(sessionId: string): void {
    const live = this.locals.get(sessionId);
    if (live !== undefined) void this.pump(live);
    this.waiters.wake(sessionId);
  }

  /**
   * A cumulative ack. On a push link it is clamped to what that link was given (a client cannot
   * have processed more); without one, the broker clamps it to what was given out.
   */
  onAck(sessionId: string, live: LiveSession | undefined, seq: unknown): void {
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= 0) return;
    if (live === undefined) {
      this.trim(sessionId, seq);
      return;
    }
    const upto = Math.min(seq, live.written);
    if (upto > live.acked) this.acknowledge(sessionId, live, upto);
  }

  private acknowledge(sessionId: string, live: LiveSession, upto: number): void {
    live.acked = upto;
    this.trim(sessionId, upto);
  }

  private trim(sessionId: string, upto: number): void {
    this.broker.outbox.trim(sessionId, upto).catch((err: unknown) => this.logger.error(`Outbox trim of ${sessionId} failed: ${String(err)}`));
  }

  private async overflow(sessionId: string): Promise<void> {
    this.logger.warn(`Session ${sessionId} passed its outbox limits and was ended`);
    await this.registry.end(sessionId, ErrorCode.OUTBOX_OVERFLOW);
  }

  private async pump(live: LiveSession): Promise<void> {
    if (live.pumping) {
      live.pumpAgain = true;
      return;
    }
    live.pumping = true;
    try {
      for (;;) {
        live.pumpAgain = false;
        if (live.closed) return;
        const link = live.link;
        if (!link.writable) {
          if (!live.waitingDrain) {
            live.waitingDrain = true;
            link.onceWritable(() => {
              live.waitingDrain = false;
              void this.pump(live);
            });
          }
          return;
        }
        const from = live.written;
        const read = await this.broker.outbox.read(live.id, from, this.options.outbox.replayBatch);
        if (live.closed) return;
        if (!read.ok) return; // the session ended: its 'ended' event closes the link
        if (live.written !== from) continue;
        if (read.epoch !== live.epoch) return this.lost(live, 'its stored state was recreated (epoch changed)');
        // Trimmed past this link's cursor: the client acknowledged those through another door.
        const start = Math.max(from, read.trimmed);
        const first = read.entries[0];
        if (first === undefined ? read.lastSeq > start : first.seq !== start + 1) {
          return this.lost(live, `the store has no message ${start + 1} (gap)`);
        }
        live.written = start;
        if (first === undefined) {
          if (live.pumpAgain) continue;
          return;
        }
        for (const entry of read.entries) {
          if (entry.seq !== live.written + 1) return this.lost(live, `the store skipped from ${live.written} to ${entry.seq}`);
          live.written = entry.seq;
          link.sendSequenced(entry.message, live.id, entry.seq, live.inboundSeq);
          live.inboundAcked = live.inboundSeq;
          if (!link.writable) break;
        }
      }
    } catch (err) {
      if (err instanceof BrokerUnavailableError) this.unreachable(live, err);
      else await this.lost(live, `reading its outbox failed: ${String(err)}`);
    } finally {
      live.pumping = false;
    }
  }

  /**
   * The store did not answer: nothing says what it holds is wrong, so the session stays. The link
   * closes (`internal_error`) and the client resumes from its cursor once the store answers again.
   */
  private unreachable(live: LiveSession, err: BrokerUnavailableError): void {
    this.logger.warn(`Session ${live.id}: its outbox could not be read, the link is closed for the client to resume: ${err.message}`);
    // The transport then reports the link closed, which detaches it as any link's end does.
    live.link.close(CloseReason.INTERNAL_ERROR, 'the broker is unreachable');
  }

  /** The store cannot give this session what it owes: end it clearly rather than skip or spin. */
  private async lost(live: LiveSession, why: string): Promise<void> {
    this.logger.error(`Session ${live.id} ended: ${why}`);
    try {
      await this.registry.end(live.id, ErrorCode.SESSION_EXPIRED);
    } catch (err) {
      this.logger.error(`Ending session ${live.id} failed too: ${String(err)}`);
    }
  }
}
