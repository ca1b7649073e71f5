package dev.apigateway.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.springframework.stereotype.Component;

/**
 * Meters of a route's upstream targets, every one registered at zero when the route's targets are known (label
 * values: the route, the target's {@code host:port[/path]}, the outcome):
 * <ul>
 * <li>{@code gateway_upstream_requests_total{route,target,outcome}}: attempts, retries included; outcome
 * {@code success} (an answer below 500), {@code server_error} (5xx), {@code timeout}, {@code unreachable}
 * (refused, reset, TLS or protocol failure), {@code failed} (anything else, such as a full pool);</li>
 * <li>{@code gateway_upstream_target_duration_seconds{route,target}}: time of each attempt to its answer head;</li>
 * <li>{@code gateway_upstream_ejections_total{route,target}} and {@code gateway_upstream_target_ejected{route,target}}
 * (1 while ejected); {@code gateway_upstream_target_healthy{route,target}} for a route with an active check;</li>
 * <li>{@code gateway_upstream_retries_total{route}} and {@code gateway_upstream_retries_refused_total{route}}
 * (a retry the budget did not allow).</li>
 * </ul>
 */
@Component
public class UpstreamTargetMetrics {

    public static final String REQUESTS = "gateway.upstream.requests";
    public static final String DURATION = "gateway.upstream.target.duration";
    public static final String EJECTIONS = "gateway.upstream.ejections";
    public static final String EJECTED = "gateway.upstream.target.ejected";
    public static final String HEALTHY = "gateway.upstream.target.healthy";
    public static final String RETRIES = "gateway.upstream.retries";
    public static final String RETRIES_REFUSED = "gateway.upstream.retries.refused";

    /** The outcome of one attempt: its {@code outcome} label. */
    public enum Outcome {
        SUCCESS, SERVER_ERROR, TIMEOUT, UNREACHABLE, FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final List<String> NAMES = List.of(REQUESTS, DURATION, EJECTIONS, EJECTED, HEALTHY, RETRIES,
            RETRIES_REFUSED);

    private final MeterRegistry registry;

    public UpstreamTargetMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One route's meters, looked up once; counting is array indexing. */
    public final class RouteMeters {
        private final Counter[][] attempts;
        private final Timer[] durations;
        private final Counter[] ejections;
        private final Counter retries;
        private final Counter retriesRefused;

        RouteMeters(String route, List<String> targets, IntPredicate ejected, IntPredicate healthy) {
            int n = targets.size();
            attempts = new Counter[n][Outcome.values().length];
            durations = new Timer[n];
            ejections = new Counter[n];
            for (int i = 0; i < n; i++) {
                Tags tags = Tags.of("route", route, "target", targets.get(i));
                for (Outcome outcome : Outcome.values()) {
                    attempts[i][outcome.ordinal()] = Counter.builder(REQUESTS)
                            .description("Upstream requests (attempts, retries included), by route, target and outcome")
                            .tags(tags).tag("outcome", outcome.label()).register(registry);
                }
                durations[i] = Timer.builder(DURATION)
                        .description("Time of each upstream attempt to its answer head (or failure), by target")
                        .tags(tags).serviceLevelObjectives(GatewayMetrics.BUCKETS)
                        .minimumExpectedValue(GatewayMetrics.BUCKETS[0])
                        .maximumExpectedValue(GatewayMetrics.BUCKETS[GatewayMetrics.BUCKETS.length - 1])
                        .register(registry);
                ejections[i] = Counter.builder(EJECTIONS)
                        .description("Times a target was ejected by passive health").tags(tags).register(registry);
                int target = i;
                Gauge.builder(EJECTED, ejected, p -> p.test(target) ? 1 : 0)
                        .description("1 while the target is ejected on this instance").tags(tags)
                        .strongReference(true).register(registry);
                if (healthy != null) {
                    Gauge.builder(HEALTHY, healthy, p -> p.test(target) ? 1 : 0)
                            .description("1 while the target passes its route's active health check on this instance")
                            .tags(tags).strongReference(true).register(registry);
                }
            }
            retries = Counter.builder(RETRIES).description("Requests sent again to another target")
                    .tag("route", route).register(registry);
            retriesRefused = Counter.builder(RETRIES_REFUSED)
                    .description("Retries not sent: the route's retry budget was spent").tag("route", route)
                    .register(registry);
        }

        public void attempt(int target, Outcome outcome, long nanos) {
            attempts[target][outcome.ordinal()].increment();
            durations[target].record(nanos, TimeUnit.NANOSECONDS);
        }

        public void ejected(int target) {
            ejections[target].increment();
        }

        public void retried() {
            retries.increment();
        }

        public void retryRefused() {
            retriesRefused.increment();
        }
    }

    /**
     * Registers (or finds) the route's meters for these targets, and removes those of its targets no longer in the
     * list; a target kept keeps its counts.
     *
     * @param ejected whether the target with that index is ejected now (read by the gauge)
     * @param healthy whether it passes the route's active health check; {@code null}: the route has none
     */
    public RouteMeters bind(String route, List<String> targets, IntPredicate ejected, IntPredicate healthy) {
        Set<String> keep = Set.copyOf(targets);
        // the gauges read the old state object: replace every gauge so they read the new one
        remove(route, meter -> meter.getId().getTag("target") != null
                && (EJECTED.equals(meter.getId().getName()) || HEALTHY.equals(meter.getId().getName())
                || !keep.contains(meter.getId().getTag("target"))));
        return new RouteMeters(route, targets, ejected, healthy);
    }

    /** Removes every meter of the route. */
    public void unbind(String route) {
        remove(route, meter -> true);
    }

    private void remove(String route, java.util.function.Predicate<Meter> which) {
        for (String name : NAMES) {
            for (Meter meter : registry.find(name).tag("route", route).meters()) {
                if (which.test(meter)) {
                    registry.remove(meter);
                }
            }
        }
    }
}
