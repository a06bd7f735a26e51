/**
 * The admission script: for each of a batch of requests of one plan (one principal and model), in order, checks
 * every limit of every scope and reserves all or nothing, exactly as if each request had its own call. A batch is the
 * requests of one event-loop turn: the fixed cost of a script call (half to two thirds of a lone admission's Redis
 * time) is paid once per batch. Embedded as a TS string because `nest build` copies only compiled TS;
 * bench/admission.bench.mjs extracts the text between the backticks, so the Lua must contain no backtick and no `${`.
 *
 * KEYS, 4 per scope (all under one hash tag): window zset (requestId -> admit ms), tokens hash (requestId -> tokens,
 * plus `#sum`), parallel zset (requestId -> lease end ms), budget hash (`p` period id, `s` spend in nano-USD,
 * `r:<requestId>` reserved nano-USD of an unsettled request).
 * ARGV: windowMs, parallelLeaseMs (the replica renews the lease while the request runs), budgetTtlMs,
 * nowOverrideMs ('' = Redis TIME), n, then per scope: rpm, tpm,
 * maxParallel, budgetNano (-1 = no limit), budgetPeriod ('' = none); then m, then per request: requestId, tokens,
 * costNano. Numbers that reach HINCRBY/HSET are passed through as ARGV strings: Lua's tostring keeps only 14 digits.
 *
 * Reply: {0, now, then per request {status, scope, limit, limitValue, retryMs, then per scope: requests, tokens,
 * resetMs}}; status 0 admitted (stats after the reservation), 1 denied (stats before), 2 never fits (stats 0).
 * When a budget counter must be rebuilt and some request of the batch could fit, nothing is reserved for any of them
 * and the reply is {3, scope, periodId, periodStartMs, scope, periodId, periodStartMs, ...}.
 */
export const ADMIT_LUA = String.raw`
local windowMs = tonumber(ARGV[1])
local parTtl = tonumber(ARGV[2])
local budgetTtl = tonumber(ARGV[3])
local n = tonumber(ARGV[5])
local now
if ARGV[4] ~= '' then
  now = tonumber(ARGV[4])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local DAY = 86400000

-- Howard Hinnant's civil calendar algorithms (days since 1970-01-01, proleptic Gregorian, UTC).
local function civil(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m
end
local function daysFromCivil(y, m)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = m > 2 and m - 3 or m + 9
  local doy = math.floor((153 * mp + 2) / 5)
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end
-- Returns the period id, its start and its end in ms (end -1 for 'total').
local function period(kind)
  local day = math.floor(now / DAY)
  if kind == 'day' then return 'day:' .. day, day * DAY, (day + 1) * DAY end
  if kind == 'week' then
    local monday = day - ((day + 3) % 7)
    return 'week:' .. monday, monday * DAY, (monday + 7) * DAY
  end
  if kind == 'month' then
    local y, m = civil(day)
    local ny, nm = y, m + 1
    if nm > 12 then ny = y + 1; nm = 1 end
    return 'month:' .. y .. '-' .. m, daysFromCivil(y, m) * DAY, daysFromCivil(ny, nm) * DAY
  end
  return 'total', 0, -1
end

local function arg(i, j) return ARGV[5 + i * 5 + j] end
local batch = tonumber(ARGV[6 + n * 5])

-- Limits per scope, read once for the whole batch.
local rpmOf, tpmOf, mpOf, budgetOf = {}, {}, {}, {}
for i = 0, n - 1 do
  rpmOf[i], tpmOf[i], mpOf[i], budgetOf[i] = tonumber(arg(i, 1)), tonumber(arg(i, 2)), tonumber(arg(i, 3)), tonumber(arg(i, 4))
end

local function req(q, j) return ARGV[6 + n * 5 + q * 3 + j] end

-- Never fits: the reservation alone exceeds a limit, so retrying cannot help. Answered before anything else.
local neverFits = {}
local fitting = 0
for q = 0, batch - 1 do
  local tokens, cost = tonumber(req(q, 2)), tonumber(req(q, 3))
  for i = 0, n - 1 do
    local rpm, tpm, mp, bud = rpmOf[i], tpmOf[i], mpOf[i], budgetOf[i]
    local limit = nil
    if rpm >= 0 and rpm < 1 then limit = {2, i, 'rpm', rpm, 0}
    elseif tpm >= 0 and tokens > tpm then limit = {2, i, 'tpm', tpm, 0}
    elseif mp >= 0 and mp < 1 then limit = {2, i, 'parallel', mp, 0}
    elseif bud >= 0 and cost > bud then limit = {2, i, 'budget', bud, 0} end
    if limit then
      for _ = 1, n * 3 do limit[#limit + 1] = 0 end
      neverFits[q] = limit
      break
    end
  end
  if not neverFits[q] then fitting = fitting + 1 end
end

-- A budget counter that is missing or belongs to another period is not trusted until rebuilt from the ledger.
local rebuild = {3}
local periodEnd = {}
for i = 0, n - 1 do
  local kind = arg(i, 5)
  if kind ~= '' then
    local pid, pstart, pend = period(kind)
    periodEnd[i] = pend
    if redis.call('HGET', KEYS[i * 4 + 4], 'p') ~= pid then
      rebuild[#rebuild + 1] = i
      rebuild[#rebuild + 1] = pid
      rebuild[#rebuild + 1] = pstart
    end
  end
end
if #rebuild > 1 and fitting > 0 then return rebuild end

local cutoff = now - windowMs

-- One request that fits: denied or admitted.
local function admitOne(rid, tokensArg, costArg)
  local tokens, cost = tonumber(tokensArg), tonumber(costArg)
  local stats = {}
  local denied = nil
  for i = 0, n - 1 do
    local w, tk, par, bud = KEYS[i * 4 + 1], KEYS[i * 4 + 2], KEYS[i * 4 + 3], KEYS[i * 4 + 4]
    local rpm, tpm, mp, budget = rpmOf[i], tpmOf[i], mpOf[i], budgetOf[i]
    local count, sum, reset = 0, 0, windowMs
    if rpm >= 0 or tpm >= 0 then
      -- Entries leaving the window give their tokens back.
      while true do
        local old = redis.call('ZRANGEBYSCORE', w, '-inf', cutoff, 'LIMIT', 0, 500)
        if #old == 0 then break end
        local vals = redis.call('HMGET', tk, unpack(old))
        local freed = 0
        for j = 1, #vals do freed = freed + tonumber(vals[j] or '0') end
        redis.call('ZREM', w, unpack(old))
        redis.call('HDEL', tk, unpack(old))
        if freed ~= 0 then redis.call('HINCRBY', tk, '#sum', -freed) end
        if #old < 500 then break end
      end
      count = redis.call('ZCARD', w)
      sum = tonumber(redis.call('HGET', tk, '#sum') or '0')
      local oldest = redis.call('ZRANGE', w, 0, 0, 'WITHSCORES')
      if oldest[2] then reset = tonumber(oldest[2]) + windowMs - now end
      if not denied and rpm >= 0 and count + 1 > rpm then
        local e = redis.call('ZRANGE', w, count - rpm, count - rpm, 'WITHSCORES')
        denied = {i, 'rpm', rpm, e[2] and (tonumber(e[2]) + windowMs - now) or windowMs}
      end
      if not denied and tpm >= 0 and sum + tokens > tpm then
        -- Walk the oldest entries until enough tokens leave the window.
        local need, retry, start = sum + tokens - tpm, windowMs, 0
        while need > 0 do
          local e = redis.call('ZRANGE', w, start, start + 199, 'WITHSCORES')
          if #e == 0 then break end
          local ids = {}
          for j = 1, #e, 2 do ids[#ids + 1] = e[j] end
          local vals = redis.call('HMGET', tk, unpack(ids))
          for j = 1, #ids do
            need = need - tonumber(vals[j] or '0')
            if need <= 0 then retry = tonumber(e[j * 2]) + windowMs - now; break end
          end
          start = start + 200
        end
        denied = {i, 'tpm', tpm, retry}
      end
    end
    if mp >= 0 then
      redis.call('ZREMRANGEBYSCORE', par, '-inf', now)
      if not denied and redis.call('ZCARD', par) >= mp then
        -- A slot frees when a request settles; one second is an honest guess.
        denied = {i, 'parallel', mp, 1000}
      end
    end
    if budget >= 0 and not denied then
      local spend = tonumber(redis.call('HGET', bud, 's') or '0')
      if spend + cost > budget then
        denied = {i, 'budget', budget, periodEnd[i] >= 0 and (periodEnd[i] - now) or -1}
      end
    end
    stats[i] = {count, sum, reset}
  end

  local reply
  if denied then
    reply = {1, denied[1], denied[2], denied[3], denied[4]}
  else
    reply = {0, -1, '', 0, 0}
    for i = 0, n - 1 do
      local w, tk, par, bud = KEYS[i * 4 + 1], KEYS[i * 4 + 2], KEYS[i * 4 + 3], KEYS[i * 4 + 4]
      local rpm, tpm, mp, budget = rpmOf[i], tpmOf[i], mpOf[i], budgetOf[i]
      if rpm >= 0 or tpm >= 0 then
        redis.call('ZADD', w, now, rid)
        redis.call('HSET', tk, rid, tokensArg)
        redis.call('HINCRBY', tk, '#sum', tokensArg)
        redis.call('PEXPIRE', w, windowMs + 1000)
        redis.call('PEXPIRE', tk, windowMs + 1000)
        if stats[i][1] == 0 then stats[i][3] = windowMs end
        stats[i][1] = stats[i][1] + 1
        stats[i][2] = stats[i][2] + tokens
      end
      if mp >= 0 then
        redis.call('ZADD', par, now + parTtl, rid)
        redis.call('PEXPIRE', par, parTtl + 1000)
      end
      if budget >= 0 then
        redis.call('HINCRBY', bud, 's', costArg)
        redis.call('HSET', bud, 'r:' .. rid, costArg)
        redis.call('PEXPIRE', bud, budgetTtl)
      end
    end
  end
  for i = 0, n - 1 do
    reply[#reply + 1] = stats[i][1]
    reply[#reply + 1] = stats[i][2]
    reply[#reply + 1] = stats[i][3]
  end
  return reply
end

local out = {0, now}
for q = 0, batch - 1 do
  out[#out + 1] = neverFits[q] or admitOne(req(q, 1), req(q, 2), req(q, 3))
end
return out
`;
