-- Tries to take the half-open probe lease of a route's circuit breaker: exactly one caller in the cluster
-- wins. OPEN past its opened-until moves to HALF_OPEN with the caller as holder; HALF_OPEN whose lease ran
-- out (the probe's instance died) gets the caller as new holder, same generation.
-- KEYS[1] breaker hash api-gateway:circuit-breaker:{route}
-- ARGV[1] holder token   ARGV[2] lease ms (upstream timeout + margin)   ARGV[3] now ms, "" = server clock
redis.replicate_commands() -- needed before TIME on Redis < 7 (a no-op from 7 on)
local key = KEYS[1]
local now = tonumber(ARGV[#ARGV])
if not now then
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local h = redis.call("HMGET", key, "state", "failures", "last_failure_ms", "opened_until_ms", "generation",
  "probe_holder", "probe_expires_ms")
local state = h[1] or "CLOSED"
local failures = tonumber(h[2]) or 0
local last_failure = tonumber(h[3]) or 0
local opened_until = tonumber(h[4]) or 0
local generation = tonumber(h[5]) or 0
local holder = h[6] or ""
local probe_expires = tonumber(h[7]) or 0
local from, to, outcome = "", "", "UNCHANGED"

local new_holder = ARGV[1]
local lease = tonumber(ARGV[2])
if state == "OPEN" and now >= opened_until then
  from, to, state = "OPEN", "HALF_OPEN", "HALF_OPEN"
  generation = generation + 1
  holder, probe_expires = new_holder, now + lease
  outcome = "PROBE_WON"
elseif state == "HALF_OPEN" and now >= probe_expires then
  holder, probe_expires = new_holder, now + lease
  outcome = "PROBE_WON"
else
  outcome = "PROBE_LOST"
end
if outcome ~= "UNCHANGED" and outcome ~= "PROBE_LOST" and outcome ~= "READ" then
  redis.call("HSET", key, "state", state, "failures", failures, "last_failure_ms", last_failure,
    "opened_until_ms", opened_until, "generation", generation, "probe_holder", holder,
    "probe_expires_ms", probe_expires)
end
return { state, failures, last_failure, opened_until, generation, holder, probe_expires, now, from, to, outcome }
