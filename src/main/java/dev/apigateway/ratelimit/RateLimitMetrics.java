package dev.apigateway.ratelimit;

import dev.apigateway.observability.RouteMeterBinder;
import dev.apigateway.ratelimit.RateLimitDecision.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The limiter's meters. Tags are the route and the outcome only, never the client key, so the
 * number of series stays bounded by the number of routes.
 *
 * <ul>
 *   <li>{@code gateway.rate.limit.decisions{route,outcome}} ({@code gateway_rate_limit_decisions_total}):
 *       every decision, fallbacks included;</li>
 *   <li>{@code gateway.rate.limit.rejected{route}} ({@code gateway_rate_limit_rejected_total}): answered
 *       429 because the bucket was empty (shared or local). A 503 in fail mode closed is not a rate-limit
 *       rejection; it shows as {@code outcome="store_unavailable"}.</li>
 * </ul>
 *
 * Registered at zero when a rate-limited route starts, removed with the route
 * ({@link dev.apigateway.observability.RouteMetersLifecycle}).
 */
public class RateLimitMetrics implements RouteMeterBinder {

    public static final String DECISIONS = "gateway.rate.limit.decisions";
    public static final String REJECTED = "gateway.rate.limit.rejected";

    private final MeterRegistry registry;
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();

    public RateLimitMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(String routeId, RateLimitDecision decision) {
        RouteMeters m = routes.computeIfAbsent(routeId, r -> new RouteMeters(registry, r));
        m.decisions.get(decision.outcome()).increment();
        if (decision.rateLimited()) {
            m.rejected.increment();
        }
    }

    @Override
    public String step() {
        return RATE_LIMIT_STEP;
    }

    @Override
    public void bind(String routeId) {
        routes.computeIfAbsent(routeId, r -> new RouteMeters(registry, r));
    }

    @Override
    public void unbind(String routeId) {
        RouteMeters m = routes.remove(routeId);
        if (m != null) {
            m.decisions.values().forEach(registry::remove);
            registry.remove(m.rejected);
        }
    }

    private static final class RouteMeters {
        final Map<Outcome, Counter> decisions = new EnumMap<>(Outcome.class);
        final Counter rejected;

        RouteMeters(MeterRegistry registry, String route) {
            for (Outcome outcome : Outcome.values()) {
                decisions.put(outcome, Counter.builder(DECISIONS).tag("route", route).tag("outcome", outcome.tag())
                        .description("Rate-limit decisions by outcome").register(registry));
            }
            rejected = Counter.builder(REJECTED).tag("route", route)
                    .description("Requests answered 429 because the client's bucket was empty").register(registry);
        }
    }
}
