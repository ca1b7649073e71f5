-- Token buckets of one client on one route: refill every one, take the request's tokens from each if every
-- enforced limit has them, store, in one atomic step. When one refuses, none is spent.
-- Mirrors dev.apigateway.ratelimit.TokenBucketMath line for line; change both together.
--
-- KEYS[i]  bucket hash of limit i: api-gateway:rate-limit:{<route>:<clientKey>}[:<limit>] (one hash tag: one slot)
-- ARGV[1]  optional "now" in microseconds (tests); empty = the Redis server clock (TIME)
-- ARGV[2]  cost: tokens the request takes from each bucket
-- then per limit i, from ARGV[3 + 5 * (i - 1)]:
--          capacity (whole tokens), refill tokens per period, refill period in microseconds,
--          TTL in milliseconds (time to refill an empty bucket plus a margin; never 0), shadow (1|0)
--
-- Returns { passed (1|0), then per limit: admitted (1|0), tokens left as a %.17g string (exact double) }.
-- Redis 5+ replicates the effects of a script, so reading TIME before writing is allowed.

local now
if ARGV[1] ~= nil and ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local cost = tonumber(ARGV[2])

local n = #KEYS
local tokens = {}
local lasts = {}
local admits = {}
local passed = 1
for i = 1, n do
  local base = 3 + 5 * (i - 1)
  local capacity = tonumber(ARGV[base])
  local refill_tokens = tonumber(ARGV[base + 1])
  local period_micros = tonumber(ARGV[base + 2])
  local shadow = ARGV[base + 4] == '1'

  local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
  local t = tonumber(state[1])
  local last = tonumber(state[2])
  if t == nil or last == nil then
    -- absent (or expired) bucket: full, which is what an idle bucket would have refilled to
    t = capacity
    last = now
  end
  local elapsed = now - last
  if elapsed < 0 then
    elapsed = 0
  end
  t = math.min(capacity, t + (elapsed * refill_tokens) / period_micros)
  if now > last then
    last = now
  end
  tokens[i] = t
  lasts[i] = last
  admits[i] = t >= cost
  if not admits[i] and not shadow then
    passed = 0
  end
end

local reply = { passed }
for i = 1, n do
  if passed == 1 and admits[i] then
    tokens[i] = tokens[i] - cost
  end
  -- %.17g round-trips a double exactly; tostring() would keep only 14 digits
  local tokens_text = string.format('%.17g', tokens[i])
  redis.call('HSET', KEYS[i], 'tokens', tokens_text, 'ts', string.format('%.17g', lasts[i]))
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[3 + 5 * (i - 1) + 3]))
  reply[#reply + 1] = admits[i] and 1 or 0
  reply[#reply + 1] = tokens_text
end
return reply
