import type { PreparedMessage } from '../envelope/prepared-message.js';
import type { AppendResult, OutboxEntry, OutboxLimits, OutboxStore } from './outbox.store.js';

interface MemoryOutbox {
  /** entries[i] has seq = firstSeq + i (seq numbers are dense). */
  entries: PreparedMessage[];
  head: number;
  firstSeq: number;
  bytes: number;
}

/**
 * The default outbox store: one array per session in this process. Trimming advances a head index
 * and compacts occasionally, so an ack costs O(acked) and not a copy of the whole outbox.
 */
export class MemoryOutboxStore implements OutboxStore {
  private readonly outboxes = new Map<string, MemoryOutbox>();

  constructor(private readonly limits: OutboxLimits) {}

  async create(sessionId: string): Promise<void> {
    this.outboxes.set(sessionId, { entries: [], head: 0, firstSeq: 1, bytes: 0 });
  }

  async append(sessionId: string, message: PreparedMessage): Promise<AppendResult> {
    return this.appendNow(sessionId, message);
  }

  /** Synchronous append, for callers in this process that must not yield between calls. */
  appendNow(sessionId: string, message: PreparedMessage): AppendResult {
    const box = this.outboxes.get(sessionId);
    if (!box) return { ok: false, reason: 'missing' };
    const size = message.size;
    const pending = box.entries.length - box.head;
    if (pending + 1 > this.limits.maxMessages || box.bytes + size > this.limits.maxBytes) {
      return { ok: false, reason: 'overflow' };
    }
    box.entries.push(message);
    box.bytes += size;
    return { ok: true, seq: box.firstSeq + box.entries.length - 1 };
  }

  async read(sessionId: string, afterSeq: number, limit: number): Promise<OutboxEntry[]> {
    const box = this.outboxes.get(sessionId);
    if (!box) return [];
    const start = Math.max(box.head, afterSeq + 1 - box.firstSeq);
    const end = Math.min(box.entries.length, start + limit);
    const out: OutboxEntry[] = [];
    for (let i = start; i < end; i++) {
      out.push({ seq: box.firstSeq + i, message: box.entries[i] });
    }
    return out;
  }

  async trim(sessionId: string, uptoSeq: number): Promise<void> {
    const box = this.outboxes.get(sessionId);
    if (!box) return;
    const newHead = Math.min(box.entries.length, uptoSeq + 1 - box.firstSeq);
    for (let i = box.head; i < newHead; i++) {
      box.bytes -= box.entries[i].size;
      box.entries[i] = undefined as unknown as PreparedMessage; // let the message be collected
    }
    if (newHead > box.head) box.head = newHead;
    // Compact once the dead prefix dominates, keeping trims amortised O(1) per message.
    if (box.head > 1024 && box.head * 2 > box.entries.length) {
      box.entries = box.entries.slice(box.head);
      box.firstSeq += box.head;
      box.head = 0;
    }
  }

  async delete(sessionId: string): Promise<void> {
    this.outboxes.delete(sessionId);
  }

  async lastSeq(sessionId: string): Promise<number> {
    const box = this.outboxes.get(sessionId);
    return box ? box.firstSeq + box.entries.length - 1 : 0;
  }

  /** Un-acked messages and characters held for a session (for tests and stats). */
  usage(sessionId: string): { messages: number; bytes: number } {
    const box = this.outboxes.get(sessionId);
    return box ? { messages: box.entries.length - box.head, bytes: box.bytes } : { messages: 0, bytes: 0 };
  }
}
