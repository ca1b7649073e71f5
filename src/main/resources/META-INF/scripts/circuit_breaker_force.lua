-- An operator forces a route's circuit breaker OPEN (for another reset timeout) or CLOSED (count cleared).
-- Always a new generation, so outcomes of requests let through before it change nothing.
-- KEYS[1] breaker hash api-gateway:circuit-breaker:{route}
-- ARGV[1] "OPEN" or "CLOSED"   ARGV[2] reset timeout ms   ARGV[3] now ms, "" = server clock
-- (circuit_breaker_prelude.lua comes before this and circuit_breaker_epilogue.lua after it)

local target = ARGV[1]
local reset = tonumber(ARGV[2])
if target == "OPEN" then
  opened_until = now + reset
elseif target == "CLOSED" then
  failures, last_failure, opened_until = 0, 0, 0
else
  return redis.error_reply("circuit breaker: unknown target state " .. tostring(target))
end
move(target, true)
holder, probe_expires = "", 0
outcome = "APPLIED"
