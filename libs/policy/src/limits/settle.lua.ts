/**
 * The settlement script, for a batch of requests of the same scopes (one principal and model, so one hash tag):
 * once per request id (a marker with a TTL), moves the token reservation to the actual count, moves the reserved
 * spend to the actual cost and releases the parallel slot. Batching keeps admission the only per-request round
 * trip: the settlements that end in one event-loop turn leave in one EVALSHA. Embedded as a TS string for the same
 * reason as admit.lua.ts.
 *
 * KEYS: 4 per scope as in the admission script (shared by the whole batch), then one settled marker per request.
 * ARGV: markerTtlMs, n (scopes), m (requests), then per request: requestId, actualTokens, tokenDelta
 * (actual - reserved), costDelta (actual - reserved nano-USD), actualCostNano.
 * A budget hash without this request's `r:` field was rebuilt or rolled to a new period after the reservation: the
 * actual cost is added on top, which can count a request twice but never lets spend escape the budget.
 * Reply: how many requests were settled now (the others were already settled).
 */
export const SETTLE_LUA = String.raw`
local ttl = ARGV[1]
local n = tonumber(ARGV[2])
local m = tonumber(ARGV[3])
local settled = 0
for j = 0, m - 1 do
  local a = 4 + j * 5
  local rid = ARGV[a]
  if redis.call('SET', KEYS[n * 4 + 1 + j], '1', 'NX', 'PX', ttl) then
    settled = settled + 1
    for i = 0, n - 1 do
      local tk, par, bud = KEYS[i * 4 + 2], KEYS[i * 4 + 3], KEYS[i * 4 + 4]
      if redis.call('HEXISTS', tk, rid) == 1 then
        redis.call('HSET', tk, rid, ARGV[a + 1])
        redis.call('HINCRBY', tk, '#sum', ARGV[a + 2])
      end
      redis.call('ZREM', par, rid)
      if redis.call('HDEL', bud, 'r:' .. rid) == 1 then
        redis.call('HINCRBY', bud, 's', ARGV[a + 3])
      elseif ARGV[a + 4] ~= '0' and redis.call('EXISTS', bud) == 1 then
        redis.call('HINCRBY', bud, 's', ARGV[a + 4])
      end
    end
  end
end
return settled
`;
