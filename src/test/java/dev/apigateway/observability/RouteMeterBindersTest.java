package dev.apigateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.circuitbreaker.BreakerRegistry;
import dev.apigateway.ratelimit.RateLimitDecision;
import dev.apigateway.ratelimit.RateLimitDecision.Outcome;
import dev.apigateway.ratelimit.NamedLimit;
import dev.apigateway.ratelimit.RateLimitMetrics;
import dev.apigateway.ratelimit.RateLimitPlan;
import dev.apigateway.ratelimit.RateLimitPolicy;
import dev.apigateway.ratelimit.RateLimitVerdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Each family whose label values are known when a route starts is registered at zero by its binder, is the same
 * meter the counting side then increments, and is gone after unbind.
 */
class RouteMeterBindersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void breakerTransitionsStartAtZeroForEveryTransitionTheTableAllows() {
        BreakerTransitionMeters meters = new BreakerTransitionMeters(registry);
        meters.bind("orders");

        assertThat(values(BreakerRegistry.TRANSITIONS_METER, "orders")).isEqualTo(Map.of(
                "closed>open", 0.0, "open>half_open", 0.0, "half_open>closed", 0.0, "half_open>open", 0.0,
                "open>closed", 0.0));
        // the registry's own lookup (how BreakerRegistry counts) finds the same meter
        registry.counter(BreakerRegistry.TRANSITIONS_METER, "route", "orders", "from", "closed", "to", "open")
                .increment();
        assertThat(values(BreakerRegistry.TRANSITIONS_METER, "orders")).containsEntry("closed>open", 1.0);

        meters.bind("orders"); // a second start of the route keeps the count
        assertThat(values(BreakerRegistry.TRANSITIONS_METER, "orders")).containsEntry("closed>open", 1.0);

        meters.unbind("orders");
        assertThat(registry.find(BreakerRegistry.TRANSITIONS_METER).meters()).isEmpty();
    }

    @Test
    void rateLimitDecisionsAndRejectionsStartAtZeroForEveryOutcome() {
        RateLimitMetrics metrics = new RateLimitMetrics(registry);
        metrics.bind("orders");

        assertThat(registry.find(RateLimitMetrics.DECISIONS).tag("route", "orders").counters())
                .hasSize(Outcome.values().length).allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(registry.get(RateLimitMetrics.REJECTED).tag("route", "orders").counter().count()).isZero();

        metrics.record("orders", verdict(false, new RateLimitDecision(Outcome.LIMITED, 5, 0, 10, 2)));
        assertThat(registry.get(RateLimitMetrics.DECISIONS).tags("route", "orders", "limit", "default", "outcome", "limited")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get(RateLimitMetrics.REJECTED).tag("route", "orders").counter().count()).isEqualTo(1);

        metrics.unbind("orders");
        assertThat(registry.find(RateLimitMetrics.DECISIONS).meters()).isEmpty();
        assertThat(registry.find(RateLimitMetrics.REJECTED).meters()).isEmpty();

        // a request still in flight on the removed route is counted on fresh meters, not on detached ones
        metrics.record("orders", verdict(true, new RateLimitDecision(Outcome.ALLOWED, 5, 4, 10, 0)));
        assertThat(registry.get(RateLimitMetrics.DECISIONS).tags("route", "orders", "outcome", "allowed")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void everyLimitOfTheRoutesPlanStartsAtZeroAndALimitDroppedByAReloadGoes() {
        RateLimitPlan[] plan = {RateLimitPlan.parse("burst:20:10:1,daily:10000:10000:86400")};
        RateLimitMetrics metrics = new RateLimitMetrics(registry, route -> plan[0]);
        metrics.bind("orders");

        for (String limit : List.of("burst", "daily")) {
            assertThat(registry.find(RateLimitMetrics.DECISIONS).tags("route", "orders", "limit", limit).counters())
                    .as(limit).hasSize(Outcome.values().length).allSatisfy(c -> assertThat(c.count()).isZero());
        }
        assertThat(registry.find(RateLimitMetrics.DECISIONS).tags("route", "orders", "outcome", "shadow_limited")
                .counters()).hasSize(2);

        plan[0] = RateLimitPlan.parse("burst:20:10:1,monthly:100000:100000:2592000");
        metrics.bind("orders"); // the route came back from a file with another plan
        assertThat(registry.find(RateLimitMetrics.DECISIONS).tag("route", "orders").counters())
                .extracting(c -> c.getId().getTag("limit")).containsOnly("burst", "monthly");
    }

    private static RateLimitVerdict verdict(boolean allowed, RateLimitDecision decision) {
        return new RateLimitVerdict(allowed, List.of(new RateLimitVerdict.LimitResult(
                new NamedLimit(NamedLimit.DEFAULT_NAME, RateLimitPolicy.of(5, 1, 2), false), decision)));
    }

    @Test
    void upstreamHistogramStartsAtZeroAndTheRoutesRequestCountersGoWithIt() {
        GatewayMetrics metrics = new GatewayMetrics(registry);
        metrics.bind("orders");
        assertThat(registry.get(GatewayMetrics.UPSTREAM_DURATION).tag("route", "orders").timer().count()).isZero();
        assertThat(registry.get(GatewayMetrics.UPSTREAM_DURATION).timer().takeSnapshot().histogramCounts())
                .as("the buckets exist before the first call").isNotEmpty();

        metrics.upstreamDuration("orders", 1_000_000);
        metrics.requestCompleted("orders", 200);
        metrics.requestCompleted("other", 200);
        assertThat(registry.get(GatewayMetrics.UPSTREAM_DURATION).tag("route", "orders").timer().count()).isEqualTo(1);

        metrics.unbind("orders");
        assertThat(registry.find(GatewayMetrics.UPSTREAM_DURATION).meters()).isEmpty();
        assertThat(registry.find(GatewayMetrics.REQUESTS).meters()).extracting(m -> m.getId().getTag("route"))
                .containsExactly("other");
    }

    /** from>to of the route's transition counters, with their counts. */
    private Map<String, Double> values(String name, String route) {
        Map<String, Double> out = new TreeMap<>();
        List<Meter> meters = List.copyOf(registry.find(name).tag("route", route).meters());
        for (Meter m : meters) {
            out.put(m.getId().getTag("from") + ">" + m.getId().getTag("to"), ((Counter) m).count());
        }
        return out;
    }
}
