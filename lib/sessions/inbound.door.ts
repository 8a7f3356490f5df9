import { Injectable } from '@nestjs/common';
import type { Handshake } from '../actions/duplex-context.js';
import type { OutboxEntry } from '../brokers/broker.js';
import { DuplexError } from '../envelope/duplex.error.js';
import { type Envelope, MessageType } from '../envelope/envelope.js';
import { controlEnvelope } from '../envelope/envelope.factory.js';
import { InboundProcessor, type InboundSource } from './inbound.processor.js';
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
}

/** @publicApi */
export type InboundBatchResult =
  | {
      ok: true;
      /** Unsequenced replies: heartbeat echoes, frame errors, an `ack` of the client's seq, the goodbye's answer. */
      replies: Envelope[];
      /** Sequenced answers the batch's requests produced (also kept in the outbox, so pulls may repeat them). */
      answers: OutboxEntry[];
    }
  | { ok: false; error: DuplexError };

/**
 * The link-less door: envelopes arriving for a session with its token, on any node, with no live
 * link here (an HTTP POST). Runs them exactly like a link's frames — same de-duplication, same
 * handlers — and hands back what they produced once their handlers finished. Rejects with
 * `BrokerUnavailableError` when the broker could not be reached.
 */
@Injectable()
export class InboundDoor {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly inbound: InboundProcessor,
  ) {}

  async deliver(batch: InboundBatch): Promise<InboundBatchResult> {
    const record = await this.registry.verify(batch.sessionId, batch.token);
    if (record instanceof DuplexError) return { ok: false, error: record };
    const replies: Envelope[] = [];
    const source: InboundSource = {
      sessionId: record.id,
      principal: batch.principal === undefined ? record.principal : batch.principal,
      handshake: batch.handshake,
      live: undefined,
      sendControl: (envelope) => replies.push(envelope),
    };
    // Started in order (the broker takes their seqs in that order), run concurrently like a link's frames.
    const outcomes = await Promise.all(batch.envelopes.map((envelope) => this.inbound.process(source, envelope)));
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
}
