-- Records one upstream failure (5xx, timeout, connection error) for a route's circuit breaker, atomically.
-- KEYS[1] breaker hash api-gateway:circuit-breaker:{route}
-- ARGV[1] generation the permit was issued in   ARGV[2] probe token, "" for a request that is not the probe
-- ARGV[3] failure threshold   ARGV[4] window ms   ARGV[5] reset timeout ms   ARGV[6] now ms, "" = server clock
-- A permit from another generation, or a probe token that no longer holds the lease, changes nothing.
-- (circuit_breaker_prelude.lua comes before this and circuit_breaker_epilogue.lua after it)

local permit_generation = tonumber(ARGV[1])
local token = ARGV[2]
local threshold = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local reset = tonumber(ARGV[5])
if permit_generation == generation then
  if state == "CLOSED" and token == "" then
    if failures > 0 and now - last_failure > window then
      failures = 0 -- the previous failures are older than the window: the count starts again
    end
    failures = failures + 1
    last_failure = now
    outcome = "APPLIED"
    if failures >= threshold then
      move("OPEN", false)
      opened_until = now + reset
      holder, probe_expires = "", 0
    end
  elseif state == "HALF_OPEN" and token ~= "" and token == holder then
    move("OPEN", false)
    failures = failures + 1
    last_failure = now
    opened_until = now + reset
    holder, probe_expires = "", 0
    outcome = "APPLIED"
  end
end
