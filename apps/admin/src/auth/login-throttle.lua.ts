/**
 * Failed admin credential attempts per subject (email, client IP) in sliding windows, atomically, with Redis TIME
 * (the same clock on every replica). Three modes:
 * - `reserve` (sign-in): refuse while a subject is locked, else count this attempt now, before the password is
 *   checked, so parallel guesses cannot all slip in before the first failure lands; a success takes it back out;
 * - `check` (master key or bearer token on any route): refuse while locked, count nothing (concurrent successful
 *   calls must never add up to a lock);
 * - `record`: count a failure that `check` let through.
 *
 * KEYS: one sorted set of attempt times per subject (all under one hash tag).
 * ARGV: windowMs, lockMs, maxLockMs, attempt id, mode, then one failure limit per key.
 * A subject with n >= limit failures in the window is locked until its last failure + min(lockMs * 2^(n - limit),
 * maxLockMs): every failure past the limit doubles the wait.
 * Reply: {0, retryMs} refused; {1, 0, count per key} allowed (counts after this attempt in reserve/record mode).
 */
export const LOGIN_THROTTLE_LUA = String.raw`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, lock, maxLock, mode = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[5]
local retry = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local limit = tonumber(ARGV[5 + i])
  local n = redis.call('ZCARD', key)
  if mode ~= 'record' and n >= limit then
    local last = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
    local wait = last + math.min(lock * 2 ^ (n - limit), maxLock) - now
    if wait > retry then retry = wait end
  end
end
if retry > 0 then return {0, math.ceil(retry)} end
local reply = {1, 0}
for i, key in ipairs(KEYS) do
  if mode ~= 'check' then
    redis.call('ZADD', key, now, ARGV[4])
    redis.call('PEXPIRE', key, window + maxLock)
  end
  reply[i + 2] = redis.call('ZCARD', key)
end
return reply
`;
