-- Token bucket: refill, take one token, store, in one atomic step.
-- Mirrors dev.apigateway.ratelimit.TokenBucketMath line for line; change both together.
--
-- KEYS[1]  the bucket hash: api-gateway:rate-limit:{<route>:<clientKey>}
-- ARGV[1]  capacity (whole tokens)
-- ARGV[2]  refill tokens per period
-- ARGV[3]  refill period in microseconds
-- ARGV[4]  TTL in milliseconds (time to refill an empty bucket plus a margin; never 0)
-- ARGV[5]  optional "now" in microseconds (tests); empty = the Redis server clock (TIME)
--
-- Returns { allowed (1|0), tokens left as a %.17g string (exact double) }.
-- Redis 5+ replicates the effects of a script, so reading TIME before writing is allowed.

local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local refill_tokens = tonumber(ARGV[2])
local period_micros = tonumber(ARGV[3])
local ttl_millis = tonumber(ARGV[4])

local now
if ARGV[5] ~= nil and ARGV[5] ~= '' then
  now = tonumber(ARGV[5])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local state = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(state[1])
local last = tonumber(state[2])
if tokens == nil or last == nil then
  -- absent (or expired) bucket: full, which is what an idle bucket would have refilled to
  tokens = capacity
  last = now
end

local elapsed = now - last
if elapsed < 0 then
  elapsed = 0
end
tokens = math.min(capacity, tokens + (elapsed * refill_tokens) / period_micros)
if now > last then
  last = now
end

local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end

-- %.17g round-trips a double exactly; tostring() would keep only 14 digits
local tokens_text = string.format('%.17g', tokens)
redis.call('HSET', key, 'tokens', tokens_text, 'ts', string.format('%.17g', last))
redis.call('PEXPIRE', key, ttl_millis)
return { allowed, tokens_text }
