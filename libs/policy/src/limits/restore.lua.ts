/**
 * Writes a replica's shadow of one scope back to Redis when Redis returns after an outage, before its counters are
 * trusted again: the admissions of the last window (those granted locally during the outage, and those Redis granted
 * before it, which a restarted Redis has lost) and the parallel slots still in flight. An entry Redis already holds
 * is left alone (`NX`), so writing back twice, or from several replicas, never counts a request twice. Embedded as a
 * TS string for the same reason as admit.lua.ts.
 *
 * KEYS: window zset, tokens hash, parallel zset of one scope. ARGV: windowMs, leaseMs, m, then per entry: requestId,
 * admitMs, tokens; then the request ids holding a slot. Reply: entries added.
 */
export const RESTORE_LUA = String.raw`
local windowMs = tonumber(ARGV[1])
local lease = tonumber(ARGV[2])
local m = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w, tk, par = KEYS[1], KEYS[2], KEYS[3]
local added = 0
for j = 0, m - 1 do
  local a = 4 + j * 3
  if tonumber(ARGV[a + 1]) > now - windowMs and redis.call('ZADD', w, 'NX', ARGV[a + 1], ARGV[a]) == 1 then
    redis.call('HSET', tk, ARGV[a], ARGV[a + 2])
    redis.call('HINCRBY', tk, '#sum', ARGV[a + 2])
    added = added + 1
  end
end
if added > 0 then
  redis.call('PEXPIRE', w, windowMs + 1000)
  redis.call('PEXPIRE', tk, windowMs + 1000)
end
if #ARGV > 3 + m * 3 then
  for a = 4 + m * 3, #ARGV do redis.call('ZADD', par, now + lease, ARGV[a]) end
  redis.call('PEXPIRE', par, lease + 1000)
end
return added
`;
