/**
 * Failed admin credential attempts per subject (email, client IP) in sliding windows, atomically, with Redis TIME
 * (the same clock on every replica). Two modes:
 * - `reserve` (sign-in): refuse while a subject is locked, else count this attempt now, before the password is
 *   checked, so parallel guesses cannot all slip in before the first failure lands; a success takes it back out;
 * - `fail` (a master key or bearer token that was checked and is wrong): count the failure, and refuse it when the
 *   subject was already locked. A valid credential never reaches this script, so others' failures cannot lock it out.
 *
 * KEYS: one sorted set of attempt times per subject (all under one hash tag).
 * ARGV: windowMs, lockMs, maxLockMs, attempt id, mode, then one failure limit per key.
 * A subject with n >= limit failures in the window is locked until its last failure + min(lockMs * 2^(n - limit),
 * maxLockMs): every failure past the limit doubles the wait.
 * Reply: {0, retryMs, count per key} refused (counts after this attempt in fail mode, before it in reserve mode);
 * {1, 0, count per key} allowed (counts after this attempt).
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
  if n >= limit then
    local last = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
    local wait = last + math.min(lock * 2 ^ (n - limit), maxLock) - now
    if wait > retry then retry = wait end
  end
end
local reply = {1, 0}
if retry > 0 then reply = {0, math.ceil(retry)} end
for i, key in ipairs(KEYS) do
  if mode == 'fail' or retry == 0 then
    redis.call('ZADD', key, now, ARGV[4])
    redis.call('PEXPIRE', key, window + maxLock)
  end
  reply[i + 2] = redis.call('ZCARD', key)
end
return reply
`;
