/**
 * The Redis key layout. Every key of one session shares the hash tag `{sessionId}`, so one Lua
 * script can touch all of them on Redis Cluster too; the keys spanning sessions (the index of
 * live sessions, a room's members) are touched one key per command.
 */

/** A session's keys, in the order the Lua scripts take them (KEYS[1]..KEYS[6]). */
export interface SessionKeys {
  /** Hash: the record, the cursors, the deadline. */
  record: string;
  /** List: the un-acked outbox, one entry per seq from `trim + 1` to `last`. */
  outbox: string;
  /** Hash: recent request id → seq of its answer (0 while it runs). */
  recent: string;
  /** List: the same ids in arrival order, to forget the oldest past the window. */
  recentOrder: string;
  /** Set: the rooms the session is in. */
  rooms: string;
  /** String: why an ended session ended, kept for the tombstone TTL. */
  tombstone: string;
}

export class RedisKeys {
  /** Sorted set: every live session id, scored by the time (Redis clock, ms) to check its expiry. */
  readonly index: string;
  /** Pub/sub channel every node listens to. */
  readonly allChannel: string;

  constructor(readonly prefix: string) {
    this.index = `${prefix}sessions`;
    this.allChannel = `${prefix}bus:all`;
  }

  session(id: string): SessionKeys {
    const base = `${this.prefix}{${id}}:`;
    return {
      record: `${base}s`,
      outbox: `${base}o`,
      recent: `${base}r`,
      recentOrder: `${base}q`,
      rooms: `${base}g`,
      tombstone: `${base}t`,
    };
  }

  /** The six keys of a session as a script's KEYS. */
  all(id: string): string[] {
    const k = this.session(id);
    return [k.record, k.outbox, k.recent, k.recentOrder, k.rooms, k.tombstone];
  }

  room(name: string): string {
    return `${this.prefix}room:${name}`;
  }

  nodeChannel(node: string): string {
    return `${this.prefix}bus:node:${node}`;
  }
}
