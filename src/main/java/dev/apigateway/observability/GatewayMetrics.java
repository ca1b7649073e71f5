package dev.apigateway.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The gateway's own request metrics: {@code gateway_requests_total{route,status}} and the
 * {@code gateway_upstream_duration_seconds} histogram by route. Tags are low-cardinality: a route id and a status
 * code, never a client address or a path. Meters are looked up once per (route, status) and then reused.
 *
 * <p>A route that forwards has its histogram registered at zero when it starts, and loses both families when it is
 * removed ({@link RouteMetersLifecycle}).
 */
@Component
public class GatewayMetrics implements RouteMeterBinder {

    public static final String REQUESTS = "gateway.requests";
    public static final String UPSTREAM_DURATION = "gateway.upstream.duration";

    /** Buckets for p50/p95/p99 from a few milliseconds to the longest upstream timeout people set. */
    static final Duration[] BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void requestCompleted(String route, int status) {
        String key = route + '\u0000' + status;
        Counter counter = requests.get(key);
        if (counter == null) {
            counter = requests.computeIfAbsent(key, k -> Counter.builder(REQUESTS)
                    .description("Requests answered, by route and status code")
                    .tag("route", route).tag("status", Integer.toString(status))
                    .register(registry));
        }
        counter.increment();
    }

    public void upstreamDuration(String route, long nanos) {
        Timer timer = durations.get(route);
        if (timer == null) {
            timer = durations.computeIfAbsent(route, this::newTimer);
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public String step() {
        return FORWARD_STEP;
    }

    @Override
    public void bind(String routeId) {
        durations.computeIfAbsent(routeId, this::newTimer);
    }

    @Override
    public void unbind(String routeId) {
        Timer timer = durations.remove(routeId);
        if (timer != null) {
            registry.remove(timer);
        }
        String prefix = routeId + '\u0000';
        requests.keySet().removeIf(key -> {
            if (!key.startsWith(prefix)) {
                return false;
            }
            registry.remove(requests.get(key));
            return true;
        });
    }

    private Timer newTimer(String route) {
        return Timer.builder(UPSTREAM_DURATION)
                .description("Time to the upstream's response head (or failure), by route")
                .tag("route", route)
                .serviceLevelObjectives(BUCKETS)
                .minimumExpectedValue(BUCKETS[0])
                .maximumExpectedValue(BUCKETS[BUCKETS.length - 1])
                .register(registry);
    }
}
