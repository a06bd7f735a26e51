/**
 * The settlement script: once per request id (a marker with a TTL), moves the token reservation to the actual
 * count, moves the reserved spend to the actual cost and releases the parallel slot. Embedded as a TS string for the
 * same reason as admit.lua.ts.
 *
 * KEYS, 4 per scope as in the admission script, then the settled marker.
 * ARGV: requestId, markerTtlMs, actualTokens, tokenDelta (actual - reserved), costDelta (actual - reserved nano-USD),
 * actualCostNano, n.
 * A budget hash without this request's `r:` field was rebuilt or rolled to a new period after the reservation: the
 * actual cost is added on top, which can count a request twice but never lets spend escape the budget.
 * Reply: 1 settled now, 0 already settled.
 */
export const SETTLE_LUA = String.raw`
local rid = ARGV[1]
local n = tonumber(ARGV[7])
if not redis.call('SET', KEYS[n * 4 + 1], '1', 'NX', 'PX', ARGV[2]) then return 0 end
for i = 0, n - 1 do
  local w, tk, par, bud = KEYS[i * 4 + 1], KEYS[i * 4 + 2], KEYS[i * 4 + 3], KEYS[i * 4 + 4]
  if redis.call('HEXISTS', tk, rid) == 1 then
    redis.call('HSET', tk, rid, ARGV[3])
    redis.call('HINCRBY', tk, '#sum', ARGV[4])
  end
  redis.call('ZREM', par, rid)
  if redis.call('HDEL', bud, 'r:' .. rid) == 1 then
    redis.call('HINCRBY', bud, 's', ARGV[5])
  elseif ARGV[6] ~= '0' and redis.call('EXISTS', bud) == 1 then
    redis.call('HINCRBY', bud, 's', ARGV[6])
  end
end
return 1
`;
