package dev.apigateway.error;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * {@code gateway.errors{route,error}} ({@code gateway_errors_total}): the answers the shared error configuration
 * made, by route and the contract's error code, so the three 503s ({@code circuit_open}, {@code store_unavailable},
 * {@code upstream_busy}) and the 502/504 upstream failures can be told apart. Tags are a route id and a code from
 * {@link GatewayError}: bounded. Counters are made once per route and reused.
 */
@Component
public class GatewayErrorMetrics {

    public static final String ERRORS = "gateway.errors";

    private final MeterRegistry registry;
    private final Map<String, Map<GatewayError, Counter>> routes = new ConcurrentHashMap<>();

    public GatewayErrorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void answered(String route, GatewayError error) {
        String r = route != null ? route : "unknown";
        Map<GatewayError, Counter> counters = routes.get(r);
        if (counters == null) {
            counters = routes.computeIfAbsent(r, this::register);
        }
        counters.get(error).increment();
    }

    private Map<GatewayError, Counter> register(String route) {
        Map<GatewayError, Counter> counters = new EnumMap<>(GatewayError.class);
        for (GatewayError error : GatewayError.values()) {
            counters.put(error, Counter.builder(ERRORS)
                    .description("Answers the gateway made itself on a route, by error code")
                    .tag("route", route).tag("error", error.code())
                    .register(registry));
        }
        return counters;
    }
}
