import { ErrorCode } from '../../../envelope/error-codes.js';
import { PRELUDE } from './prelude.lua.js';

/**
 * The session record's atomic steps (KEYS: the six keys of one session). Each returns what the
 * caller needs to keep the keys spanning sessions in step: the new key expiry and the rooms.
 */

/** ARGV: id, tokenHash, identity, principal JSON ('' = none), epoch, createdAt, offlineSince ('' = none), ttl, grace → deadline. */
export const CREATE = `${PRELUDE}
local at = now_ms()
redis.call('DEL', KEYS[6])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'th', ARGV[2], 'idn', ARGV[3], 'ep', ARGV[5], 'ca', ARGV[6],
  'ttl', ARGV[8], 'last', 0, 'trim', 0, 'b', 0, 'in', 0)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'p', ARGV[4]) end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'off', ARGV[7]) end
local dl = at + tonumber(ARGV[8])
keep(dl, tonumber(ARGV[9]))
return dl
`;

/** → {1, field, value, …} live; {0} unknown; {0, reason} ended. */
export const LOOKUP = `${PRELUDE}
local h = redis.call('HMGET', KEYS[1], 'dl', 'hn')
if not is_live(h[1], h[2], now_ms()) then return gone() end
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, 1)
return out
`;

/**
 * ARGV: node, link, transport, principal JSON ('' = none), holdMs (a held session's deadline is
 * renewed by its node every holdMs), grace → {1, prevNode, prevLink, prevTransport, epoch, last,
 * trim, inboundSeq, x, rooms…} or gone().
 */
export const ATTACH = `${PRELUDE}
local at = now_ms()
local h = redis.call('HMGET', KEYS[1], 'dl', 'hn', 'hl', 'ht', 'ep', 'last', 'trim', 'in', 'ttl')
if not is_live(h[1], h[2], at) then return gone() end
redis.call('HSET', KEYS[1], 'hn', ARGV[1], 'hl', ARGV[2], 'ht', ARGV[3])
redis.call('HDEL', KEYS[1], 'off')
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'p', ARGV[4]) else redis.call('HDEL', KEYS[1], 'p') end
local x = keep(at + tonumber(h[9]) + tonumber(ARGV[5]), tonumber(ARGV[6]))
return with_rooms({1, h[2] or '', h[3] or '', h[4] or '', h[5], tonumber(h[6]), tonumber(h[7]), tonumber(h[8]), x})
`;

/** ARGV: node, link, ttl, grace → {0} (not its holder) or {1, x, rooms…}. */
export const DETACH = `${PRELUDE}
local h = redis.call('HMGET', KEYS[1], 'hn', 'hl')
if h[1] ~= ARGV[1] or h[2] ~= ARGV[2] then return {0} end
local at = now_ms()
redis.call('HDEL', KEYS[1], 'hn', 'hl', 'ht')
redis.call('HSET', KEYS[1], 'off', at, 'ttl', ARGV[3])
return with_rooms({1, keep(at + tonumber(ARGV[3]), tonumber(ARGV[4]))})
`;

/**
 * ARGV: ttl, grace → {0} not live; else {state, epoch, last, trim, inboundSeq} where state 1: held
 * by a link (its node renews it), 2: renewed, followed by x and the rooms.
 */
export const TOUCH = `${PRELUDE}
local at = now_ms()
local h = redis.call('HMGET', KEYS[1], 'dl', 'hn', 'ep', 'last', 'trim', 'in')
if not is_live(h[1], h[2], at) then return {0} end
local out = {1, h[3], tonumber(h[4]), tonumber(h[5]), tonumber(h[6])}
if h[2] then return out end
redis.call('HSET', KEYS[1], 'ttl', ARGV[1])
out[1] = 2
out[6] = keep(at + tonumber(ARGV[1]), tonumber(ARGV[2]))
return with_rooms(out)
`;

/** Deletes the session and leaves a tombstone. */
const BURY = `
local function bury(reason, ttl)
  local out = with_rooms({})
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
  redis.call('SET', KEYS[6], reason, 'PX', ttl)
  return out
end
`;

/**
 * ARGV: reason, ttl → {0} nothing to end; {1, rooms…} ended with reason; {2, rooms…} it was past
 * its deadline: ended as expired (as the memory broker's timer would already have).
 */
export const END = `${PRELUDE}${BURY}
local h = redis.call('HMGET', KEYS[1], 'dl', 'hn')
if not h[1] then return {0} end
if not is_live(h[1], h[2], now_ms()) then
  local out = bury('${ErrorCode.SESSION_EXPIRED}', tonumber(ARGV[2]))
  table.insert(out, 1, 2)
  return out
end
local out = bury(ARGV[1], tonumber(ARGV[2]))
table.insert(out, 1, 1)
return out
`;

/**
 * The sweeper's step for a session found due in the index. ARGV: tombstone ttl (used when the
 * session's own is gone) → {2, deadline} not due (re-index); {1, rooms…} expired now;
 * {0, reason} already ended; {0} its keys expired unseen (tombstone written now).
 */
export const EXPIRE = `${PRELUDE}${BURY}
local h = redis.call('HMGET', KEYS[1], 'dl', 'ttl')
if not h[1] then
  local reason = redis.call('GET', KEYS[6])
  if reason then return {0, reason} end
  redis.call('SET', KEYS[6], '${ErrorCode.SESSION_EXPIRED}', 'PX', tonumber(ARGV[1]))
  return {0}
end
if tonumber(h[1]) > now_ms() then return {2, tonumber(h[1])} end
local out = bury('${ErrorCode.SESSION_EXPIRED}', tonumber(h[2]))
table.insert(out, 1, 1)
return out
`;

/**
 * A node renews a session whose link it holds. ARGV: node, link, holdMs, grace →
 * {1, x, rooms…} renewed; {2} another link holds it now; {0, reason} it ended.
 */
export const RENEW = `${PRELUDE}
local h = redis.call('HMGET', KEYS[1], 'hn', 'hl', 'ttl')
if not h[3] then return {0, redis.call('GET', KEYS[6]) or '${ErrorCode.SESSION_EXPIRED}'} end
if h[1] ~= ARGV[1] or h[2] ~= ARGV[2] then return {2} end
return with_rooms({1, keep(now_ms() + tonumber(h[3]) + tonumber(ARGV[3]), tonumber(ARGV[4]))})
`;

/** ARGV: room → 0 not live, else the keys' expiry (the room's member set must last as long). */
export const JOIN = `${PRELUDE}
local h = redis.call('HMGET', KEYS[1], 'dl', 'hn', 'x')
if not is_live(h[1], h[2], now_ms()) then return 0 end
redis.call('SADD', KEYS[5], ARGV[1])
redis.call('PEXPIREAT', KEYS[5], h[3])
return tonumber(h[3])
`;
