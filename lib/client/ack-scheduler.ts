/**
 * When to send the cumulative `ack` for server messages (docs/protocol.md §5): no later than
 * `ack.interval_ms` after the first un-acked message, or at once when `ack.max_messages` are un-acked.
 * Batching keeps the ack traffic far below the message traffic while bounding the server's replay.
 */

export interface AckTimings {
  intervalMs: number;
  maxMessages: number;
}

export class AckScheduler {
  private timings: AckTimings = { intervalMs: 50, maxMessages: 32 };
  private unacked = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `sendAck` sends one ack frame for everything processed so far. */
  constructor(private readonly sendAck: () => void) {}

  configure(timings: AckTimings): void {
    this.timings = timings;
  }

  /** A sequenced message arrived (delivered or duplicate: a duplicate means our last ack was lost). */
  noteReceived(): void {
    this.unacked++;
    if (this.unacked >= this.timings.maxMessages) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.timings.intervalMs);
    }
  }

  /** Sends the ack now if anything is un-acked. */
  flush(): void {
    this.clearTimer();
    if (this.unacked === 0) return;
    this.unacked = 0;
    this.sendAck();
  }

  /** An outgoing sequenced frame carried the ack: nothing is owed until the next message arrives. */
  piggybacked(): void {
    this.clearTimer();
    this.unacked = 0;
  }

  /** The connection is gone: the next hello's `last_seq` carries the position instead. */
  cancel(): void {
    this.clearTimer();
    this.unacked = 0;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
