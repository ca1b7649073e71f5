-- Shared head of every circuit_breaker_*.lua script (RedisBreakerStore prepends it): the clock, the
-- breaker hash read into locals, and move(), the one way a script changes state. RedisBreakerStore puts
-- the transition tables NORMAL and FORCED before this, generated from the Java BreakerState enum, so the
-- scripts and the Java state machine refuse exactly the same transitions.
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

-- Every transition passes here: checked against the table, starts a new generation.
local function move(target, forced)
  local edge = state .. ">" .. target
  if not ((forced and FORCED[edge]) or (not forced and NORMAL[edge])) then
    error("circuit breaker: illegal transition " .. edge .. (forced and " (forced)" or ""))
  end
  from, to, state = state, target, target
  generation = generation + 1
end
