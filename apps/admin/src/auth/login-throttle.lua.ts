/**
 * Counts one admin sign-in attempt against each subject (email, client IP) in one atomic step, or refuses it while a
 * subject is locked. The attempt is counted before the credential is checked, so parallel guesses cannot all slip
 * in before the first failure lands; a success takes its entry back out. Time from Redis TIME (same on every replica).
 *
 * KEYS: one sorted set of attempt times per subject (all under one hash tag).
 * ARGV: windowMs, lockMs, maxLockMs, attempt id, then one failure limit per key.
 * A subject with n >= limit failures in the window is locked until its last failure + min(lockMs * 2^(n - limit),
 * maxLockMs): every failure past the limit doubles the wait.
 * Reply: {0, retryMs} refused; {1, 0, count per key including this attempt} counted.
 */
export const LOGIN_THROTTLE_LUA = String.raw`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, lock, maxLock = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local retry = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local limit = tonumber(ARGV[4 + i])
  local n = redis.call('ZCARD', key)
  if n >= limit then
    local last = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
    local wait = last + math.min(lock * 2 ^ (n - limit), maxLock) - now
    if wait > retry then retry = wait end
  end
end
if retry > 0 then return {0, math.ceil(retry)} end
local reply = {1, 0}
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window + maxLock)
  reply[i + 2] = redis.call('ZCARD', key)
end
return reply
`;
