package dev.apigateway.ratelimit;

import dev.apigateway.observability.RouteMeterBinder;
import dev.apigateway.ratelimit.RateLimitDecision.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The limiter's meters. Tags are the route, the limit's name and the outcome, never the client key, so the
 * number of series stays bounded by the routes and their configured limits.
 *
 * <ul>
 *   <li>{@code gateway.rate.limit.decisions{route,limit,outcome}} ({@code gateway_rate_limit_decisions_total}):
 *       each limit's own decision for every request, fallbacks included. A request refused by one limit counts
 *       {@code limited} on that limit and {@code allowed} on a limit that had its tokens (none of which were spent);
 *       a shadow limit that would have refused counts {@code shadow_limited};</li>
 *   <li>{@code gateway.rate.limit.rejected{route}} ({@code gateway_rate_limit_rejected_total}): answered
 *       429 because an enforced bucket was empty (shared or local). A 503 in fail mode closed is not a rate-limit
 *       rejection; it shows as {@code outcome="store_unavailable"}.</li>
 * </ul>
 *
 * Registered at zero, for each limit of the route, when a rate-limited route starts; removed with the route
 * ({@link dev.apigateway.observability.RouteMetersLifecycle}).
 */
public class RateLimitMetrics implements RouteMeterBinder {

    public static final String DECISIONS = "gateway.rate.limit.decisions";
    public static final String REJECTED = "gateway.rate.limit.rejected";

    private final MeterRegistry registry;
    private final Function<String, RateLimitPlan> plans;
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();

    /** Meters of the limit {@code default} only, for a limiter without route settings (tests). */
    public RateLimitMetrics(MeterRegistry registry) {
        this(registry, route -> null);
    }

    /** @param plans the running plan of a route, {@code null} when it has none */
    public RateLimitMetrics(MeterRegistry registry, Function<String, RateLimitPlan> plans) {
        this.registry = registry;
        this.plans = plans;
    }

    public void record(String routeId, RateLimitVerdict verdict) {
        RouteMeters m = routes.computeIfAbsent(routeId, r -> new RouteMeters(registry, r));
        for (RateLimitVerdict.LimitResult result : verdict.limits()) {
            m.limit(result.limit().name()).get(result.decision().outcome()).increment();
        }
        if (verdict.rateLimited()) {
            m.rejected.increment();
        }
    }

    @Override
    public String step() {
        return RATE_LIMIT_STEP;
    }

    /** Registers the route's limits at zero and drops the meters of limits its plan no longer has. */
    @Override
    public void bind(String routeId) {
        RouteMeters m = routes.computeIfAbsent(routeId, r -> new RouteMeters(registry, r));
        RateLimitPlan plan = plans.apply(routeId);
        List<String> names = plan == null ? List.of(NamedLimit.DEFAULT_NAME) : plan.names();
        names.forEach(m::limit);
        m.decisions.keySet().removeIf(name -> {
            if (names.contains(name)) {
                return false;
            }
            m.decisions.get(name).values().forEach(registry::remove);
            return true;
        });
    }

    @Override
    public void unbind(String routeId) {
        RouteMeters m = routes.remove(routeId);
        if (m != null) {
            m.decisions.values().forEach(byOutcome -> byOutcome.values().forEach(registry::remove));
            registry.remove(m.rejected);
        }
    }

    private static final class RouteMeters {
        final MeterRegistry registry;
        final String route;
        final Map<String, Map<Outcome, Counter>> decisions = new ConcurrentHashMap<>();
        final Counter rejected;

        RouteMeters(MeterRegistry registry, String route) {
            this.registry = registry;
            this.route = route;
            rejected = Counter.builder(REJECTED).tag("route", route)
                    .description("Requests answered 429 because the client's bucket was empty").register(registry);
        }

        Map<Outcome, Counter> limit(String name) {
            return decisions.computeIfAbsent(name, n -> {
                Map<Outcome, Counter> byOutcome = new EnumMap<>(Outcome.class);
                for (Outcome outcome : Outcome.values()) {
                    byOutcome.put(outcome, Counter.builder(DECISIONS).tag("route", route).tag("limit", n)
                            .tag("outcome", outcome.tag())
                            .description("Rate-limit decisions by limit and outcome").register(registry));
                }
                return byOutcome;
            });
        }
    }
}
