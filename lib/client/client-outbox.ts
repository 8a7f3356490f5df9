/**
 * The client's side of client→server delivery (docs/protocol.md §6): messages wait here until the
 * server acknowledges them. A message gets its `seq` when it is first put on the wire, not when it
 * is queued, so that messages never sent can move to a fresh session (and number from 1 there)
 * when a resume fails, and a request that times out before it was sent can simply be withdrawn.
 */
import { DuplexError } from '../envelope/duplex.error.js';
import { ErrorCode } from '../envelope/error-codes.js';
import type { PreparedMessage } from '../envelope/prepared-message.js';

/** A message waiting in the outbox; its JSON body was made once, when it was queued. */
export interface OutboxEntry {
  readonly id: string;
  readonly message: PreparedMessage;
}

/** A message that has been on the wire, with the seq it must keep when resent. */
export interface SentEntry extends OutboxEntry {
  readonly seq: number;
}

export class ClientOutbox {
  /** Put on the wire, not yet acked; ascending `seq`. */
  private sent: SentEntry[] = [];
  /** Never put on the wire; in the order the application produced them. */
  private queued: OutboxEntry[] = [];
  private nextSeq = 1;

  constructor(private readonly maxMessages: number) {}

  /** Sent-but-unacked plus never-sent messages: what the `outbox.maxMessages` bound counts. */
  get size(): number {
    return this.sent.length + this.queued.length;
  }

  /** The highest seq handed out in this session (0 before the first send). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Queues a message; throws `outbox_overflow` rather than let an offline client grow without bound. */
  enqueue(message: PreparedMessage): void {
    if (this.size >= this.maxMessages) {
      throw new DuplexError(
        ErrorCode.OUTBOX_OVERFLOW,
        `The client outbox is full (${this.maxMessages} messages waiting for the server)`,
      );
    }
    this.queued.push({ id: message.id, message });
  }

  /** Takes the oldest never-sent message, numbers it and counts it as sent. */
  takeNext(): SentEntry | undefined {
    const entry = this.queued.shift();
    if (entry === undefined) return undefined;
    const sent: SentEntry = { ...entry, seq: this.nextSeq++ };
    this.sent.push(sent);
    return sent;
  }

  /** Withdraws a message that was never sent. A sent one must stay: its seq is already on the wire. */
  cancel(id: string): boolean {
    const index = this.queued.findIndex((e) => e.id === id);
    if (index < 0) return false;
    this.queued.splice(index, 1);
    return true;
  }

  /** The server's cumulative ack: everything sent up to `seq` arrived. */
  ack(seq: number): void {
    let drop = 0;
    while (drop < this.sent.length && this.sent[drop]!.seq <= seq) drop++;
    if (drop > 0) this.sent.splice(0, drop);
  }

  /** Sent but not yet acked, oldest first: what a resumed session must receive again. */
  unacked(): readonly SentEntry[] {
    return this.sent;
  }

  /**
   * The session is gone: forget what was sent in it (the server that could have acked it no
   * longer knows it) and number the never-sent messages from 1 in the next session.
   */
  dropSent(): SentEntry[] {
    const dropped = this.sent;
    this.sent = [];
    this.nextSeq = 1;
    return dropped;
  }

  /** Forgets everything (the client disconnected); returns what was still waiting. */
  clear(): OutboxEntry[] {
    const all = [...this.sent, ...this.queued];
    this.sent = [];
    this.queued = [];
    this.nextSeq = 1;
    return all;
  }
}
