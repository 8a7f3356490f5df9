import { Injectable, Logger } from '@nestjs/common';
import type { Handshake } from '../actions/duplex-context.js';
import type { OutboxEntry } from '../brokers/broker.js';
import { DuplexError } from '../envelope/duplex.error.js';
import { BYE_ACTION, type Envelope, MessageType } from '../envelope/envelope.js';
import { controlEnvelope } from '../envelope/envelope.factory.js';
import { InboundProcessor, type InboundSource, type InboundWork, mayRunHandler } from './inbound.processor.js';
import { InflightLimiter } from './inflight.limiter.js';
import { SessionRegistry } from './session.registry.js';

/** @publicApi */
export interface InboundBatch {
  sessionId: string;
  /** The session's resume token: proves the caller owns it (compared as hashes, in constant time). */
  token: string;
  /** Decoded, validated envelopes, processed in this order. */
  envelopes: Envelope[];
  /** The request they came with (what guards see as the handshake). */
  handshake: Handshake;
  /** The principal guards see; default: the one of the session's latest connection. */
  principal?: unknown;
  /**
   * When the result comes: `'finished'` (default) once the handlers of the envelopes have
   * finished; `'accepted'` once every envelope is accepted (its client seq checked and recorded,
   * its id de-duplicated) — the handlers then run on, and their answers only reach the outbox.
   */
  resolveWhen?: 'accepted' | 'finished';
}

/** @publicApi */
export type InboundBatchResult =
  | {
      ok: true;
      /** Unsequenced replies: heartbeat echoes, frame errors, an `ack` of the client's seq, the goodbye's answer. */
      replies: Envelope[];
      /**
       * Sequenced answers the batch produced (also kept in the outbox, so pulls may repeat them).
       * With `resolveWhen: 'accepted'` only those known then: answers queued again for retries.
       */
      answers: OutboxEntry[];
    }
  | { ok: false; error: DuplexError };

/**
 * The link-less door: envelopes arriving for a session with its token, on any node, with no live
 * link here (an HTTP POST). Runs them exactly like a link's frames — same de-duplication, same
 * handlers — started in order, at most `maxInflight` handlers of the session at once on this node
 * (past that, the next envelope waits for a slot), none after a `$bye`. Hands back what they
 * produced once accepted or once finished (`resolveWhen`). Rejects with `BrokerUnavailableError`
 * when the broker could not be reached at the accept step.
 */
@Injectable()
export class InboundDoor {
  private readonly logger = new Logger(InboundDoor.name);

  constructor(
    private readonly registry: SessionRegistry,
    private readonly inbound: InboundProcessor,
    private readonly inflight: InflightLimiter,
  ) {}

  async deliver(batch: InboundBatch): Promise<InboundBatchResult> {
    const record = await this.registry.verify(batch.sessionId, batch.token);
    if (record instanceof DuplexError) return { ok: false, error: record };
    const replies: Envelope[] = [];
    let answered = false;
    const source: InboundSource = {
      sessionId: record.id,
      principal: batch.principal === undefined ? record.principal : batch.principal,
      handshake: batch.handshake,
      live: undefined,
      holdsSlots: true,
      sendControl: (envelope) => (answered ? this.late(record.id, envelope) : replies.push(envelope)),
    };
    const works = await this.start(source, batch.envelopes);
    const step = batch.resolveWhen === 'accepted' ? 'accepted' : 'finished';
    const outcomes = await Promise.all(works.map((work) => work[step]));
    answered = true;
    // As a push link closes: the caller fails, and the client sends what it has not seen acknowledged again.
    const unreachable = outcomes.find((outcome) => outcome.unreachable !== undefined)?.unreachable;
    if (unreachable !== undefined) throw unreachable;
    const answers: OutboxEntry[] = [];
    let inboundSeq = 0;
    for (const outcome of outcomes) {
      if (outcome.answer !== undefined) answers.push(outcome.answer);
      if (outcome.inboundSeq !== undefined && outcome.inboundSeq > inboundSeq) inboundSeq = outcome.inboundSeq;
    }
    if (inboundSeq > 0) replies.push(controlEnvelope(MessageType.ACK, record.id, { seq: inboundSeq }));
    answers.sort((a, b) => a.seq - b.seq);
    return { ok: true, replies, answers };
  }

  /**
   * Starts the envelopes in order (the broker takes their seqs in that order), each that may run a
   * handler once the session has a free slot here; they then run concurrently, like a link's frames.
   */
  private async start(source: InboundSource, envelopes: Envelope[]): Promise<InboundWork[]> {
    const works: InboundWork[] = [];
    for (const envelope of envelopes) {
      const slot = mayRunHandler(envelope);
      if (slot) await this.inflight.acquire(source.sessionId);
      const work = this.inbound.start(source, envelope);
      if (slot) void work.finished.then(() => this.inflight.ended(source.sessionId));
      works.push(work);
      // The goodbye ends the session: what follows it is not run.
      if (envelope.type === MessageType.REQUEST && envelope.action === BYE_ACTION) break;
    }
    return works;
  }

  /**
   * A reply produced after the batch was answered (`resolveWhen: 'accepted'`), e.g. the `internal`
   * error for a handler whose answer could not be stored: it has no way to the client, whose
   * request then gets no answer (it ran at most once; the client's request times out).
   */
  private late(sessionId: string, envelope: Envelope): void {
    const code = envelope.type === MessageType.ERROR ? ` ${String(envelope.data.code)}` : '';
    this.logger.warn(
      `Session ${sessionId}: the ${envelope.type}${code} replying to "${envelope.reply_to ?? ''}" came after its batch was answered; it is not delivered, and the request gets no answer`,
    );
  }
}
