/**
 * Installs rebuilt budget counters. Several replicas may rebuild the same counter at once: the first install for a
 * period wins (SET NX semantics on the period id), so a counter that already took reservations is never reset.
 *
 * KEYS: budget hashes. ARGV: ttlMs, then per key: periodId, spendNano. Reply: number of counters installed.
 */
export const BUDGET_INIT_LUA = String.raw`
local installed = 0
for i = 1, #KEYS do
  local pid, spend = ARGV[i * 2], ARGV[i * 2 + 1]
  if redis.call('HGET', KEYS[i], 'p') ~= pid then
    redis.call('DEL', KEYS[i])
    redis.call('HSET', KEYS[i], 'p', pid, 's', spend)
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
    installed = installed + 1
  end
end
return installed
`;
