import { Injectable } from '@nestjs/common';
import type { LiveSession } from './live-session.js';

/** The sessions whose push link this node holds, by session id: at most one live link each. */
@Injectable()
export class LocalSessions {
  private readonly byId = new Map<string, LiveSession>();

  get(sessionId: string): LiveSession | undefined {
    return this.byId.get(sessionId);
  }

  /** Makes `live` the session's local link state; returns the one it replaces, if any. */
  set(live: LiveSession): LiveSession | undefined {
    const previous = this.byId.get(live.id);
    this.byId.set(live.id, live);
    return previous;
  }

  /** Forgets `live` if it is still the current one. */
  delete(live: LiveSession): boolean {
    if (this.byId.get(live.id) !== live) return false;
    this.byId.delete(live.id);
    return true;
  }

  values(): IterableIterator<LiveSession> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }
}
