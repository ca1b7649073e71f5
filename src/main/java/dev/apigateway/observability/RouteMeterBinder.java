package dev.apigateway.observability;

/**
 * Meters of one route whose label values are all known when the route starts (a route's rate-limit outcomes, its
 * breaker's transitions). {@link RouteMetersLifecycle} registers them at zero when a route that uses
 * {@link #step()} is added, and removes them when the route is gone, so that a series is born at 0 and the first
 * event shows in {@code increase()}, {@code changes()} and the alerts built on them, instead of being the series'
 * first sample.
 *
 * <p>Implementations keep the meter names and tags they use when counting; registering an existing meter again
 * returns it, so {@link #bind} is idempotent.
 */
public interface RouteMeterBinder {

    /** The named step (a bean a route calls with {@code process}) of the gateway's route template. */
    String RATE_LIMIT_STEP = "gatewayRateLimit";
    String CIRCUIT_BREAKER_STEP = "gatewayCircuitBreaker";
    String FORWARD_STEP = "gatewayForward";

    /** The step whose presence on a route means these meters belong to it. */
    String step();

    /** Registers the route's meters at zero; no-op for those already registered. */
    void bind(String routeId);

    /** As {@link #bind(String)}, for a binder that needs more of the route being added than its id. */
    default void bind(org.apache.camel.Route route) {
        bind(route.getRouteId());
    }

    /** Removes the route's meters from the registry (and from any cache the counting side keeps). */
    void unbind(String routeId);
}
