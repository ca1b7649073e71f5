-- Records one upstream failure (5xx, timeout, connection error) for a route's circuit breaker, atomically.
-- KEYS[1] breaker hash api-gateway:circuit-breaker:{route}
-- ARGV[1] generation the permit was issued in   ARGV[2] probe token, "" for a request that is not the probe
-- ARGV[3] failure threshold   ARGV[4] window ms   ARGV[5] reset timeout ms   ARGV[6] now ms, "" = server clock
-- A permit from another generation, or a probe token that no longer holds the lease, changes nothing.
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
      from, to, state = "CLOSED", "OPEN", "OPEN"
      generation = generation + 1
      opened_until = now + reset
      holder, probe_expires = "", 0
    end
  elseif state == "HALF_OPEN" and token ~= "" and token == holder then
    from, to, state = "HALF_OPEN", "OPEN", "OPEN"
    failures = failures + 1
    last_failure = now
    generation = generation + 1
    opened_until = now + reset
    holder, probe_expires = "", 0
    outcome = "APPLIED"
  end
end
if outcome ~= "UNCHANGED" and outcome ~= "PROBE_LOST" and outcome ~= "READ" then
  redis.call("HSET", key, "state", state, "failures", failures, "last_failure_ms", last_failure,
    "opened_until_ms", opened_until, "generation", generation, "probe_holder", holder,
    "probe_expires_ms", probe_expires)
end
return { state, failures, last_failure, opened_until, generation, holder, probe_expires, now, from, to, outcome }
