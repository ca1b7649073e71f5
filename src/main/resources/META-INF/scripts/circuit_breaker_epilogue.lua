-- Shared tail of every circuit_breaker_*.lua script (RedisBreakerStore appends it): write the hash back
-- when the script changed it, and return the state with what happened.
if outcome ~= "UNCHANGED" and outcome ~= "PROBE_LOST" and outcome ~= "READ" then
  redis.call("HSET", key, "state", state, "failures", failures, "last_failure_ms", last_failure,
    "opened_until_ms", opened_until, "generation", generation, "probe_holder", holder,
    "probe_expires_ms", probe_expires)
end
return { state, failures, last_failure, opened_until, generation, holder, probe_expires, now, from, to, outcome }
