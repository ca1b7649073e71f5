-- Tries to take the half-open probe lease of a route's circuit breaker: exactly one caller in the cluster
-- wins. OPEN past its opened-until moves to HALF_OPEN with the caller as holder; HALF_OPEN whose lease ran
-- out (the probe's instance died) gets the caller as new holder, same generation.
-- KEYS[1] breaker hash api-gateway:circuit-breaker:{route}
-- ARGV[1] holder token   ARGV[2] lease ms (upstream timeout + margin)   ARGV[3] now ms, "" = server clock
-- (circuit_breaker_prelude.lua comes before this and circuit_breaker_epilogue.lua after it)

local new_holder = ARGV[1]
local lease = tonumber(ARGV[2])
if state == "OPEN" and now >= opened_until then
  move("HALF_OPEN", false)
  holder, probe_expires = new_holder, now + lease
  outcome = "PROBE_WON"
elseif state == "HALF_OPEN" and now >= probe_expires then
  holder, probe_expires = new_holder, now + lease
  outcome = "PROBE_WON"
else
  outcome = "PROBE_LOST"
end
