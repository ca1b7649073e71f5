package dev.apigateway.proxy;

import dev.apigateway.circuitbreaker.BreakerRegistry;
import dev.apigateway.circuitbreaker.BreakerView;
import dev.apigateway.error.GatewayErrorMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** What the proxy tests read back from a gateway's beans: its error counts and its breakers' failure counts. */
final class GatewayCounts {

    private GatewayCounts() {
    }

    /** {@code gateway_errors_total{route,error}}; 0 before the first. */
    static double errors(MeterRegistry meters, String route, String code) {
        Counter counter = meters.find(GatewayErrorMetrics.ERRORS).tag("route", route).tag("error", code).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Failures the route's breaker has counted; 0 before its first request. */
    static long breakerFailures(BreakerRegistry breakers, String route) {
        return breakers.breakers().stream().filter(v -> v.route().equals(route)).mapToLong(BreakerView::failures)
                .findFirst().orElse(0);
    }
}
