-- Reads a route's circuit breaker (see BreakerStateMachine for the rules every script shares).
-- KEYS[1] breaker hash api-gateway:circuit-breaker:{route}
-- ARGV[1] now in ms, or "" for the server clock
-- Returns { state, failures, last_failure_ms, opened_until_ms, generation, probe_holder, probe_expires_ms,
--           now, from, to, outcome } like every circuit_breaker_*.lua script.
-- (circuit_breaker_prelude.lua comes before this and circuit_breaker_epilogue.lua after it)

outcome = "READ"
