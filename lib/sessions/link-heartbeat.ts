/**
 * Liveness of one link: pings every `intervalMs` and declares the link dead when nothing at all
 * has been received for `intervalMs + timeoutMs`. One timer per link, re-armed only when it fires;
 * receiving a frame just stamps the time.
 */
export class LinkHeartbeat {
  private lastReceived = Date.now();
  private lastPing = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly ping: () => void,
    private readonly dead: () => void,
  ) {}

  start(): void {
    this.lastReceived = this.lastPing = Date.now();
    this.arm(this.intervalMs);
  }

  received(): void {
    this.lastReceived = Date.now();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => this.tick(), Math.max(1, delay));
    this.timer.unref();
  }

  private tick(): void {
    const now = Date.now();
    const deadline = this.lastReceived + this.intervalMs + this.timeoutMs;
    if (now >= deadline) {
      this.timer = undefined;
      this.dead();
      return;
    }
    if (now - this.lastPing >= this.intervalMs) {
      this.lastPing = now;
      this.ping();
    }
    this.arm(Math.min(this.lastPing + this.intervalMs, deadline) - now);
  }
}
