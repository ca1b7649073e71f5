/**
 * Per-route circuit breakers whose state every gateway instance shares through Redis, free of Camel.
 *
 * <p>How a route's processor uses it (one {@link dev.apigateway.circuitbreaker.BreakerRegistry} bean):
 * <pre>{@code
 * Permit permit = breakers.acquire(routeId, policy);   // throws CircuitOpenException -> 503 circuit_open
 * // ... call the upstream ...
 * if (status >= 500 || timedOut || connectionFailed) breakers.onFailure(permit); else breakers.onSuccess(permit);
 * }</pre>
 * Exactly one of {@code onSuccess}/{@code onFailure} per permit; a permit dropped without either (client
 * gone before the upstream call) is harmless: a probe's lease simply runs out. Requests the gateway answers
 * itself before the breaker (429, 400, 413) never acquire. Map {@link dev.apigateway.circuitbreaker.CircuitOpenException}
 * to 503 {@code {"error":"circuit_open",...}} with {@code Retry-After: e.retryAfterSeconds()}.
 *
 * <p>Pieces: {@link dev.apigateway.circuitbreaker.BreakerState} (states and the transition table),
 * {@link dev.apigateway.circuitbreaker.BreakerStateMachine} (the rules; the Lua scripts in
 * {@code META-INF/scripts/circuit_breaker_*.lua} are the same rules for Redis),
 * {@link dev.apigateway.circuitbreaker.BreakerStore} (Redis or in-memory),
 * {@link dev.apigateway.circuitbreaker.BreakerRegistry} (per-instance cache, fallback, transitions, metrics),
 * {@link dev.apigateway.circuitbreaker.CircuitBreakersEndpoint} (actuator {@code circuitbreakers}).
 */
package dev.apigateway.circuitbreaker;
