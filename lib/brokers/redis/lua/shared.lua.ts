import { PRELUDE } from './prelude.lua.js';

/**
 * Steps on the keys spanning sessions, one key each (so they route to one Redis Cluster node):
 * the index of live sessions and a room's member set. Each keeps its key alive at least as long
 * as the member it writes.
 */

/**
 * KEYS: index. ARGV: id, score, relative ('1': score is ms from now), grace, max (0: update an
 * existing member only; >0: add unless the index holds max) → 1 done, 0 full.
 */
export const INDEX = `${PRELUDE}
local score = tonumber(ARGV[2])
if ARGV[3] == '1' then score = score + now_ms() end
local max = tonumber(ARGV[5])
if max > 0 then
  if redis.call('ZCARD', KEYS[1]) >= max then return 0 end
  redis.call('ZADD', KEYS[1], score, ARGV[1])
else
  redis.call('ZADD', KEYS[1], 'XX', score, ARGV[1])
end
extend(KEYS[1], score + tonumber(ARGV[4]))
return 1
`;

/** KEYS: index. ARGV: limit → ids whose score (deadline) has passed. */
export const DUE = `${PRELUDE}
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms(), 'LIMIT', 0, tonumber(ARGV[1]))
`;

/** KEYS: a room's members. ARGV: id ('' = only keep), x → adds the member; the set lasts until x at least. */
export const ROOM_KEEP = `${PRELUDE}
if ARGV[1] ~= '' then redis.call('SADD', KEYS[1], ARGV[1]) end
if redis.call('EXISTS', KEYS[1]) == 1 then extend(KEYS[1], tonumber(ARGV[2])) end
return 1
`;
