import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { within } from './http-call.js';

/** Why a held poll or stream was let go before its time. */
export type HeldEnd = 'taken_over' | 'shutdown' | 'client_gone';

/** One poll or SSE stream held on this node: what it needs while it is held, and nothing after. */
export class HeldRequest {
  private readonly controller = new AbortController();
  private endReason: HeldEnd | undefined;
  private resolveReleased!: () => void;
  /** Settles once the request let go (answered, or its stream ended). */
  readonly released = new Promise<void>((resolve) => (this.resolveReleased = resolve));

  constructor(
    readonly sessionId: string,
    private readonly onRelease: (held: HeldRequest) => void,
  ) {}

  /** Aborts the session layer's pull (its wait ends at once). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get ended(): HeldEnd | undefined {
    return this.endReason;
  }

  end(reason: HeldEnd): void {
    if (this.endReason !== undefined) return;
    this.endReason = reason;
    this.controller.abort();
  }

  release(): void {
    this.onRelease(this);
    this.resolveReleased();
  }
}

/**
 * The polls and SSE streams held on this node: at most one per session (a newer one takes over, the
 * older is let go at once), all let go at shutdown. Nothing here outlives a request: a session's
 * state is the session layer's, reachable from any node.
 */
@Injectable()
export class HeldRequests implements BeforeApplicationShutdown {
  private readonly bySession = new Map<string, HeldRequest>();
  private closing = false;
  private drained: Promise<void> | undefined;

  /** Holds a request of `sessionId`, ending the one this node held for it (`taken_over`). */
  hold(sessionId: string): HeldRequest {
    const held = new HeldRequest(sessionId, (done) => {
      if (this.bySession.get(done.sessionId) === done) this.bySession.delete(done.sessionId);
    });
    this.bySession.get(sessionId)?.end('taken_over');
    this.bySession.set(sessionId, held);
    if (this.closing) held.end('shutdown');
    return held;
  }

  /** True while a poll or stream of the session is held here (tests, stats). */
  holds(sessionId: string): boolean {
    return this.bySession.has(sessionId);
  }

  get size(): number {
    return this.bySession.size;
  }

  get shuttingDown(): boolean {
    return this.closing;
  }

  /**
   * Lets every held request go (polls answer what they have, streams say `close`) and waits for
   * them, 2 s at most; later calls wait for the same.
   */
  beforeApplicationShutdown(): Promise<void> {
    if (this.drained !== undefined) return this.drained;
    this.closing = true;
    const all = [...this.bySession.values()];
    for (const held of all) held.end('shutdown');
    this.drained = within(Promise.all(all.map((held) => held.released)), 2000).then(() => undefined);
    return this.drained;
  }
}
