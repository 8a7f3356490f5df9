import { Inject, Injectable } from '@nestjs/common';
import { DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import type { LiveSession } from './live-session.js';
import { LocalSessions } from './local-sessions.js';

/**
 * Flow control per session on this node: with `maxInflight` handlers running, the session's link
 * is not read (TCP pushes back on the client) until half of them have finished, and the link-less
 * door waits for a free slot before it starts the next envelope. Counted per session, not per
 * link, so a link that takes over a busy session starts paused.
 */
@Injectable()
export class InflightLimiter {
  private readonly counts = new Map<string, number>();
  /** Callers of `acquire` waiting for a slot, first come first served. */
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(
    private readonly locals: LocalSessions,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  began(sessionId: string): void {
    const n = (this.counts.get(sessionId) ?? 0) + 1;
    this.counts.set(sessionId, n);
    if (n >= this.options.maxInflight) this.locals.get(sessionId)?.link.pauseReading();
  }

  ended(sessionId: string): void {
    const n = (this.counts.get(sessionId) ?? 1) - 1;
    if (n <= 0) this.counts.delete(sessionId);
    else this.counts.set(sessionId, n);
    if (n === Math.floor(this.options.maxInflight / 2)) this.locals.get(sessionId)?.link.resumeReading();
    this.handOver(sessionId);
  }

  /**
   * Resolves once the session has fewer than `maxInflight` handlers running here, counting the
   * caller's as begun (end it with `ended`). Waiters are served in call order, and a slot passes
   * to a waiter synchronously, so no one slips in between.
   */
  acquire(sessionId: string): Promise<void> {
    if (!this.waiting.has(sessionId) && this.inflight(sessionId) < this.options.maxInflight) {
      this.began(sessionId);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.waiting.get(sessionId);
      if (queue === undefined) this.waiting.set(sessionId, [resolve]);
      else queue.push(resolve);
    });
  }

  /** A link was attached: it starts paused if the session is at its limit here. */
  attached(live: LiveSession): void {
    if ((this.counts.get(live.id) ?? 0) >= this.options.maxInflight) live.link.pauseReading();
  }

  inflight(sessionId: string): number {
    return this.counts.get(sessionId) ?? 0;
  }

  /** Callers of `acquire` still waiting for a slot of the session. */
  waiters(sessionId: string): number {
    return this.waiting.get(sessionId)?.length ?? 0;
  }

  private handOver(sessionId: string): void {
    const queue = this.waiting.get(sessionId);
    if (queue === undefined) return;
    while (queue.length > 0 && this.inflight(sessionId) < this.options.maxInflight) {
      this.began(sessionId);
      queue.shift()!();
    }
    if (queue.length === 0) this.waiting.delete(sessionId);
  }
}
