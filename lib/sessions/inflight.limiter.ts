import { Inject, Injectable } from '@nestjs/common';
import { DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import type { LiveSession } from './live-session.js';
import { LocalSessions } from './local-sessions.js';

/**
 * Flow control per session on this node: with `maxInflight` handlers running, the session's link
 * is not read (TCP pushes back on the client) until half of them have finished. Counted per
 * session, not per link, so a link that takes over a busy session starts paused.
 */
@Injectable()
export class InflightLimiter {
  private readonly counts = new Map<string, number>();

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
  }

  /** A link was attached: it starts paused if the session is at its limit here. */
  attached(live: LiveSession): void {
    if ((this.counts.get(live.id) ?? 0) >= this.options.maxInflight) live.link.pauseReading();
  }

  inflight(sessionId: string): number {
    return this.counts.get(sessionId) ?? 0;
  }
}
