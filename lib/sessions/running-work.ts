/**
 * The work a node has started and not finished (inbound envelopes being processed), so shutdown
 * can let it finish — its answers reach the outbox — before the broker goes away.
 */
export class RunningWork {
  private readonly running = new Set<Promise<unknown>>();

  get size(): number {
    return this.running.size;
  }

  /** Tracks `work` (which must never reject) until it settles, and returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.then(() => this.running.delete(work));
    return work;
  }

  /** Resolves when everything tracked now has settled, or after `timeoutMs`; true if it all settled. */
  async settled(timeoutMs: number): Promise<boolean> {
    if (this.running.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([Promise.allSettled([...this.running]).then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
