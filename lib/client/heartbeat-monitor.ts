/**
 * Declares a link dead after `interval_ms + timeout_ms` without any frame (docs/protocol.md §7).
 * Frames only record a time stamp; one timer re-arms itself for the remaining silence, so a busy
 * link costs no timer churn per message.
 */
export class HeartbeatMonitor {
  private deadlineMs = 0;
  private lastSeen = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly onDead: (silentMs: number) => void) {}

  start(deadlineMs: number): void {
    this.stop();
    this.deadlineMs = deadlineMs;
    this.lastSeen = Date.now();
    this.arm(deadlineMs);
  }

  /** Any frame counts as a sign of life. */
  touch(): void {
    this.lastSeen = Date.now();
  }

  stop(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => this.check(), delayMs);
  }

  private check(): void {
    this.timer = undefined;
    const silent = Date.now() - this.lastSeen;
    if (silent >= this.deadlineMs) {
      this.onDead(silent);
    } else {
      this.arm(this.deadlineMs - silent);
    }
  }
}
