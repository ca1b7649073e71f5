-- Records one upstream success for a route's circuit breaker, atomically: the probe's success closes it,
-- a normal success resets a non-zero failure count.
-- KEYS[1] breaker hash api-gateway:circuit-breaker:{route}
-- ARGV[1] generation the permit was issued in   ARGV[2] probe token, "" for a request that is not the probe
-- ARGV[3] now ms, "" = server clock
-- A permit from another generation, or a probe token that no longer holds the lease, changes nothing.
-- (circuit_breaker_prelude.lua comes before this and circuit_breaker_epilogue.lua after it)

local permit_generation = tonumber(ARGV[1])
local token = ARGV[2]
if permit_generation == generation then
  if state == "HALF_OPEN" and token ~= "" and token == holder then
    move("CLOSED", false)
    failures, last_failure, opened_until = 0, 0, 0
    holder, probe_expires = "", 0
    outcome = "APPLIED"
  elseif state == "CLOSED" and token == "" and failures > 0 then
    failures = 0
    outcome = "APPLIED"
  end
end
