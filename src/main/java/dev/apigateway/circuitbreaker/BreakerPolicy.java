package dev.apigateway.circuitbreaker;

import dev.apigateway.config.GatewayProperties;
import java.time.Duration;

/**
 * One route's breaker settings, validated when built (the message names the bad value).
 *
 * @param failureThreshold consecutive failures that open the breaker, at least 1
 * @param window           a failure that comes more than this after the previous one starts the count again; positive
 * @param resetTimeout     time OPEN before one probe is let through; positive
 * @param probeLease       how long a probe holds its place before another request may take it: the route's
 *                         upstream timeout plus {@link #PROBE_LEASE_MARGIN}, so a probe lost with its
 *                         instance cannot wedge the breaker; positive
 */
public record BreakerPolicy(int failureThreshold, Duration window, Duration resetTimeout, Duration probeLease) {

    /** Added to the upstream timeout for the probe lease: the probe's outcome reaches the store a little after the answer. */
    public static final Duration PROBE_LEASE_MARGIN = Duration.ofSeconds(1);

    public BreakerPolicy {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("circuit breaker failureThreshold must be at least 1, was " + failureThreshold);
        }
        requirePositive("window", window);
        requirePositive("resetTimeout", resetTimeout);
        requirePositive("probeLease", probeLease);
    }

    /** A policy from the gateway-wide defaults and a route's upstream timeout. */
    public static BreakerPolicy of(GatewayProperties.CircuitBreaker settings, Duration upstreamTimeout) {
        requirePositive("upstreamTimeout", upstreamTimeout);
        return new BreakerPolicy(settings.getFailureThreshold(), settings.getWindow(), settings.getResetTimeout(),
                upstreamTimeout.plus(PROBE_LEASE_MARGIN));
    }

    /** The defaults every route gets unless it sets its own. */
    public static BreakerPolicy defaults(GatewayProperties properties) {
        return of(properties.getCircuitBreaker(), properties.getUpstreamTimeout());
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.toMillis() < 1) {
            throw new IllegalArgumentException("circuit breaker " + name + " must be at least 1 ms, was " + value);
        }
    }
}
