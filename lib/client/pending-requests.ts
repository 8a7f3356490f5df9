/**
 * Requests waiting for their `response` or `error`. Every request has a deadline (no ack API without
 * a timeout: ANCHOR-ASKS pitfall 6), and the deadline runs while the request is still queued offline.
 */
import { DuplexError } from '../envelope/duplex.error.js';
import type { EnvelopeData } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';

interface Pending {
  resolve(data: EnvelopeData): void;
  reject(error: DuplexError): void;
  timer: ReturnType<typeof setTimeout>;
  /** Put on the wire at least once (so it belongs to the session it was sent in). */
  sent: boolean;
}

export class PendingRequests {
  private readonly entries = new Map<string, Pending>();

  get size(): number {
    return this.entries.size;
  }

  /**
   * Registers a request; `onTimeout` runs before the rejection so the caller can withdraw the
   * message if it never left the outbox.
   */
  add(id: string, action: string, timeoutMs: number, onTimeout: (id: string) => void): Promise<EnvelopeData> {
    return new Promise<EnvelopeData>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.entries.delete(id)) return;
        onTimeout(id);
        reject(new DuplexError(ErrorCode.TIMEOUT, `Request "${action}" was not answered within ${timeoutMs} ms`));
      }, timeoutMs);
      this.entries.set(id, { resolve, reject, timer, sent: false });
    });
  }

  markSent(id: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.sent = true;
  }

  /** Returns false when nothing waits for `id` (already timed out, or not ours). */
  resolve(id: string, data: EnvelopeData): boolean {
    const entry = this.take(id);
    entry?.resolve(data);
    return entry !== undefined;
  }

  reject(id: string, error: DuplexError): boolean {
    const entry = this.take(id);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** Rejects the requests already sent: their answers were lost with the session. */
  rejectSent(error: DuplexError): void {
    for (const [id, entry] of [...this.entries]) {
      if (entry.sent) this.reject(id, error);
    }
  }

  rejectAll(error: DuplexError): void {
    for (const id of [...this.entries.keys()]) this.reject(id, error);
  }

  private take(id: string): Pending | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    clearTimeout(entry.timer);
    this.entries.delete(id);
    return entry;
  }
}
