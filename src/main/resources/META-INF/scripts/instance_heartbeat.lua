-- One gateway instance says it is alive and reads how many are: one key, so Cluster-safe.
--
-- KEYS[1]  the sorted set api-gateway:instances (member = instance id, score = expiry in ms)
-- ARGV[1]  this instance's id
-- ARGV[2]  heartbeat TTL in milliseconds
-- ARGV[3]  optional "now" in milliseconds (tests); empty = the Redis server clock
--
-- Returns the number of live instances, this one included.

local key = KEYS[1]
local ttl = tonumber(ARGV[2])
local now
if ARGV[3] ~= nil and ARGV[3] ~= '' then
  now = tonumber(ARGV[3])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
redis.call('ZADD', key, now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
-- the set itself goes when no instance has refreshed it for a while
redis.call('PEXPIRE', key, ttl * 4)
return redis.call('ZCARD', key)
