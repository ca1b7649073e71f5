package dev.apigateway.circuitbreaker;

/**
 * Leave to call a route's upstream once. Give it back with exactly one of
 * {@link BreakerRegistry#onSuccess(Permit)} or {@link BreakerRegistry#onFailure(Permit)}.
 *
 * @param routeId    the route
 * @param generation the breaker generation it was issued in; an outcome from an older one changes nothing
 * @param probe      whether this request is the half-open probe whose outcome closes or re-opens the breaker
 * @param probeToken the probe lease holder token, empty unless a shared probe
 * @param source     whether the store (shared or in-memory) or the local fallback breaker issued it
 */
public record Permit(String routeId, long generation, boolean probe, String probeToken, Source source) {

    public enum Source {
        /** issued from the breaker store's state (Redis, or the in-memory store) */
        STORE,
        /** issued by the local Resilience4j breaker while the shared store is unreachable */
        LOCAL
    }
}
