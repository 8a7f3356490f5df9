import type { PreparedMessage } from '../../envelope/prepared-message.js';
import type { OutboxEntry, OutboxLimits } from '../broker.js';

/**
 * One session's outbox in memory: seq numbers are dense, `entries[i]` has seq `firstSeq + i`.
 * Trimming advances a head index and compacts now and then, so an ack costs O(acked) and not a
 * copy of the whole outbox.
 */
export class MemoryOutbox {
  private entries: PreparedMessage[] = [];
  private head = 0;
  private firstSeq = 1;
  private bytes = 0;

  /** Highest seq given out (0 if none). */
  get lastSeq(): number {
    return this.firstSeq + this.entries.length - 1;
  }

  /** Highest seq trimmed (acknowledged by the client). */
  get trimmed(): number {
    return this.firstSeq + this.head - 1;
  }

  /** The next seq, or 0 when the limits would be passed. */
  append(message: PreparedMessage, limits: OutboxLimits): number {
    const size = message.size;
    if (this.entries.length - this.head + 1 > limits.maxMessages || this.bytes + size > limits.maxBytes) return 0;
    this.entries.push(message);
    this.bytes += size;
    return this.lastSeq;
  }

  read(afterSeq: number, limit: number): OutboxEntry[] {
    const start = Math.max(this.head, afterSeq + 1 - this.firstSeq);
    const end = Math.min(this.entries.length, start + limit);
    const out: OutboxEntry[] = [];
    for (let i = start; i < end; i++) out.push({ seq: this.firstSeq + i, message: this.entries[i] });
    return out;
  }

  /** The entry with this seq, if it is still kept. */
  at(seq: number): PreparedMessage | undefined {
    const i = seq - this.firstSeq;
    return i >= this.head && i < this.entries.length ? this.entries[i] : undefined;
  }

  trim(uptoSeq: number): void {
    const newHead = Math.min(this.entries.length, uptoSeq + 1 - this.firstSeq);
    for (let i = this.head; i < newHead; i++) {
      this.bytes -= this.entries[i].size;
      this.entries[i] = undefined as unknown as PreparedMessage; // let the message be collected
    }
    if (newHead > this.head) this.head = newHead;
    // Compact once the dead prefix dominates, keeping trims amortised O(1) per message.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.firstSeq += this.head;
      this.head = 0;
    }
  }

  /** Un-acked messages and characters held (for tests and stats). */
  usage(): { messages: number; bytes: number } {
    return { messages: this.entries.length - this.head, bytes: this.bytes };
  }
}
