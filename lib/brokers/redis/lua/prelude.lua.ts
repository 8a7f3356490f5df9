import { ErrorCode } from '../../../envelope/error-codes.js';

/**
 * Lua helpers every session script starts with. Scripts of one session take its six keys in the
 * order of `RedisKeys.all()`: record, outbox, recent, recentOrder, rooms, tombstone. Times are the
 * Redis server's clock (`TIME`), so nodes with skewed clocks agree on deadlines. Numbers written
 * back stay below 1e14 (ms timestamps, seqs, bytes), which Lua's `tostring` keeps as integers.
 *
 * Record fields: id, th (token hash), idn (identity), p (principal JSON), ep (epoch), ca (created
 * at), hn/hl/ht (holder node, link, transport), off (offline since), ttl, dl (deadline: the sweeper
 * ends the session then), x (when its keys expire: dl + grace), last, trim, b (bytes), in (client seq).
 */
export const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Live: the record exists and, unless a link holds it, its deadline has not passed (the sweeper
-- has yet to end an overdue session; until then it is treated as ended).
local function is_live(dl, holder, at)
  if not dl then return false end
  return holder ~= false or tonumber(dl) > at
end

-- Sets the deadline and makes every key of the session expire grace ms after it.
local function keep(dl, grace)
  local x = dl + grace
  redis.call('HSET', KEYS[1], 'dl', dl, 'x', x)
  for i = 1, 5 do redis.call('PEXPIREAT', KEYS[i], x) end
  return x
end

-- Pushes the session's rooms onto out (their member sets must live as long as the session).
local function with_rooms(out)
  for _, room in ipairs(redis.call('SMEMBERS', KEYS[5])) do out[#out + 1] = room end
  return out
end

-- What a resume is told about a session that is not live: {0} unknown, {0, reason} ended.
local function gone()
  local reason = redis.call('GET', KEYS[6])
  if reason then return {0, reason} end
  if redis.call('EXISTS', KEYS[1]) == 1 then return {0, '${ErrorCode.SESSION_EXPIRED}'} end
  return {0}
end

-- Extends a key's expiry to at least x (a key spanning sessions lives as long as its longest member).
local function extend(key, x)
  local t = redis.call('PEXPIRETIME', key)
  if t == -1 or (t >= 0 and t < x) then redis.call('PEXPIREAT', key, x) end
end
`;
