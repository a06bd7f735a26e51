/**
 * Renews the `maxParallel` slots a replica holds: one call per hash tag and renewal interval for all of the replica's
 * requests in flight under it, so a slot lives as long as its request and ends one lease after its replica stops
 * renewing (it crashed or lost Redis). `XX`: a slot already released by its settlement is never brought back.
 * Embedded as a TS string for the same reason as admit.lua.ts.
 *
 * KEYS: parallel zsets. ARGV: leaseMs, then per key the number of its request ids, then all request ids in key order.
 * Reply: slots renewed.
 */
export const RENEW_LUA = String.raw`
local lease = tonumber(ARGV[1])
local t = redis.call('TIME')
local untilMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + lease
local a = 2 + #KEYS
local renewed = 0
for i = 1, #KEYS do
  local c = tonumber(ARGV[1 + i])
  for _ = 1, c do
    renewed = renewed + redis.call('ZADD', KEYS[i], 'XX', 'CH', untilMs, ARGV[a])
    a = a + 1
  end
  redis.call('PEXPIRE', KEYS[i], lease + 1000)
end
return renewed
`;
