import { Injectable } from '@nestjs/common';

/**
 * Pulls waiting on this node for a session's next message (long-poll, SSE): woken by a local
 * append, a node-to-node wake-up, or the session's end.
 */
@Injectable()
export class PullWaiters {
  private readonly bySession = new Map<string, Set<() => void>>();

  /** Registers `wake` for the session; returns the function that removes it. */
  add(sessionId: string, wake: () => void): () => void {
    let set = this.bySession.get(sessionId);
    if (set === undefined) this.bySession.set(sessionId, (set = new Set()));
    set.add(wake);
    return () => {
      set.delete(wake);
      if (set.size === 0 && this.bySession.get(sessionId) === set) this.bySession.delete(sessionId);
    };
  }

  /** Pulls of the session waiting here (read-only: tests check an abandoned pull left none). */
  count(sessionId: string): number {
    return this.bySession.get(sessionId)?.size ?? 0;
  }

  wake(sessionId: string): void {
    const set = this.bySession.get(sessionId);
    if (set === undefined) return;
    this.bySession.delete(sessionId);
    for (const wake of set) wake();
  }

  wakeAll(): void {
    for (const id of [...this.bySession.keys()]) this.wake(id);
  }
}
