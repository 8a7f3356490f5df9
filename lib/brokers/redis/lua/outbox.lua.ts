import { PRELUDE } from './prelude.lua.js';

/**
 * The outbox and the inbound ledger. The outbox is a list holding seq `trim + 1` at its head and
 * `last` at its tail (seqs are dense, so a seq is an index); each entry is `<size> <json tail>`,
 * the size in characters as the memory broker counts them. docs/redis.md says why a list.
 */

/** Appends to one session: seq, holder node ('' none); seq -1 missing, -2 past the limits. */
const APPEND_ONE = `
local function append_one(s, o, r, at, entry, size, max_messages, max_bytes, answers)
  local h = redis.call('HMGET', s, 'dl', 'hn', 'last', 'trim', 'b', 'x')
  if not is_live(h[1], h[2], at) then return -1, '' end
  local last = tonumber(h[3])
  if last - tonumber(h[4]) + 1 > max_messages or tonumber(h[5]) + size > max_bytes then return -2, '' end
  if redis.call('RPUSH', o, entry) == 1 then redis.call('PEXPIREAT', o, h[6]) end
  redis.call('HSET', s, 'last', last + 1, 'b', tonumber(h[5]) + size)
  if answers ~= '' and redis.call('HEXISTS', r, answers) == 1 then redis.call('HSET', r, answers, last + 1) end
  return last + 1, h[2] or ''
end
`;

/** KEYS: record, outbox, recent. ARGV: entry, size, maxMessages, maxBytes, answers ('' = none) → {seq, holder}. */
export const APPEND = `${PRELUDE}${APPEND_ONE}
local seq, holder = append_one(KEYS[1], KEYS[2], KEYS[3], now_ms(), ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5])
return {seq, holder}
`;

/**
 * One message to many sessions in one call (a broadcast on a single Redis: the body crosses the
 * wire once). KEYS: record and outbox of each session in turn. ARGV: entry, size, maxMessages,
 * maxBytes → {seq1, holder1, seq2, holder2, …}.
 */
export const APPEND_MANY = `${PRELUDE}${APPEND_ONE}
local at = now_ms()
local out = {}
for i = 1, #KEYS, 2 do
  local seq, holder = append_one(KEYS[i], KEYS[i + 1], false, at, ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), '')
  out[#out + 1] = seq
  out[#out + 1] = holder
end
return out
`;

/** KEYS: record, outbox. ARGV: afterSeq, limit → {0} missing, or {1, epoch, lastSeq, trimmed, firstSeq - 1, entries…}. */
export const READ = `${PRELUDE}
local h = redis.call('HMGET', KEYS[1], 'dl', 'hn', 'ep', 'last', 'trim')
if not is_live(h[1], h[2], now_ms()) then return {0} end
local trim = tonumber(h[5])
local from = math.max(tonumber(ARGV[1]), trim)
local out = {1, h[3], tonumber(h[4]), trim, from}
local limit = tonumber(ARGV[2])
if limit > 0 and from < tonumber(h[4]) then
  for _, entry in ipairs(redis.call('LRANGE', KEYS[2], from - trim, from - trim + limit - 1)) do out[#out + 1] = entry end
end
return out
`;

/** KEYS: record, outbox. ARGV: uptoSeq → entries forgotten. */
export const TRIM = `
local h = redis.call('HMGET', KEYS[1], 'last', 'trim', 'b')
if not h[1] then return 0 end
local upto = math.min(tonumber(ARGV[1]), tonumber(h[1]))
local n = upto - tonumber(h[2])
if n <= 0 then return 0 end
local bytes = 0
for _, entry in ipairs(redis.call('LPOP', KEYS[2], n) or {}) do bytes = bytes + tonumber(string.match(entry, '^%d+')) end
redis.call('HSET', KEYS[1], 'trim', upto, 'b', tonumber(h[3]) - bytes)
return n
`;

/**
 * Checks and records a client message: seq order first, then the id window.
 * KEYS: record, recent, recentOrder. ARGV: seq ('' = none), id ('' = none), window →
 * {'new', in} | {'duplicate', in} | {'seen', in, answerSeq} | {'gap', expected} | {'missing'}.
 */
export const ACCEPT = `${PRELUDE}
local h = redis.call('HMGET', KEYS[1], 'dl', 'hn', 'in', 'x')
if not is_live(h[1], h[2], now_ms()) then return {'missing'} end
local inbound = tonumber(h[3])
if ARGV[1] ~= '' then
  local seq = tonumber(ARGV[1])
  if seq <= inbound then return {'duplicate', inbound} end
  if seq > inbound + 1 then return {'gap', inbound + 1} end
  inbound = seq
  redis.call('HSET', KEYS[1], 'in', inbound)
end
if ARGV[2] ~= '' then
  local seen = redis.call('HGET', KEYS[2], ARGV[2])
  if seen then return {'seen', inbound, tonumber(seen)} end
  redis.call('HSET', KEYS[2], ARGV[2], 0)
  local n = redis.call('RPUSH', KEYS[3], ARGV[2])
  if n == 1 then
    redis.call('PEXPIREAT', KEYS[2], h[4])
    redis.call('PEXPIREAT', KEYS[3], h[4])
  end
  if n > tonumber(ARGV[3]) then redis.call('HDEL', KEYS[2], redis.call('LPOP', KEYS[3])) end
end
return {'new', inbound}
`;
