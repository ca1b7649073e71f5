package dev.apigateway.circuitbreaker;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * Operator view and control of every route's breaker: {@code GET /actuator/circuitbreakers} lists them,
 * {@code GET /actuator/circuitbreakers/{route}} shows one, and
 * {@code POST /actuator/circuitbreakers/{route}} with {@code {"action":"open"}} or {@code {"action":"close"}}
 * forces it OPEN or resets it to CLOSED in the whole cluster.
 */
@Endpoint(id = "circuitbreakers")
public class CircuitBreakersEndpoint {

    private final BreakerRegistry registry;
    private final java.util.function.Predicate<String> routeExists;

    /**
     * @param routeExists whether a route of that id runs on this instance: an operator can force the breaker of a
     *                    route this instance has not served yet (another instance may have)
     */
    public CircuitBreakersEndpoint(BreakerRegistry registry, java.util.function.Predicate<String> routeExists) {
        this.registry = registry;
        this.routeExists = routeExists;
    }

    @ReadOperation
    public Map<String, BreakerView> breakers() {
        Map<String, BreakerView> result = new LinkedHashMap<>();
        registry.breakers().forEach(v -> result.put(v.route(), v));
        return result;
    }

    /** One route's breaker; null (404) for a route the gateway has no breaker for. */
    @ReadOperation
    public BreakerView breaker(@Selector String route) {
        return breakers().get(route);
    }

    /**
     * Forces a route's breaker.
     *
     * @param action {@code open} (OPEN for another reset timeout) or {@code close} (CLOSED, count cleared)
     * @throws InvalidEndpointRequestException (400) for an unknown route or action
     */
    @WriteOperation
    public BreakerView change(@Selector String route, String action) {
        if (!registry.knows(route) && !routeExists.test(route)) {
            throw new InvalidEndpointRequestException("no circuit breaker for route '" + route + "'",
                    "unknown route");
        }
        String a = action == null ? "" : action.trim().toLowerCase(Locale.ROOT);
        return switch (a) {
            case "open" -> registry.force(route, BreakerState.OPEN);
            case "close" -> registry.force(route, BreakerState.CLOSED);
            default -> throw new InvalidEndpointRequestException(
                    "action must be 'open' or 'close', was '" + action + "'", "unknown action");
        };
    }
}
