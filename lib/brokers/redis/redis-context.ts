import type { RedisKeys } from './redis-keys.js';
import type { RedisClient } from './redis-scripts.js';

/** What every part of the Redis broker shares. */
export interface RedisContext {
  client: RedisClient;
  keys: RedisKeys;
  /** A session's keys outlive its deadline by this long, so a sweeper ends it and tells every node. */
  graceMs: number;
  /** A node renews the sessions whose links it holds this often; a held session's deadline is ttl + holdMs ahead. */
  holdMs: number;
  /**
   * The session TTL last given to a call (nodes normally share it): the index score of a session
   * just attached and a tombstone whose session's own TTL is gone use it. A wrong guess costs one
   * early check, never an early end.
   */
  ttlHint: number;
}
