package dev.apigateway.circuitbreaker;

import dev.apigateway.config.GatewayProperties;
import java.time.Duration;

/**
 * One route's breaker settings, validated when built (the message names the bad value).
 *
 * @param failureThreshold consecutive failures that open the breaker, at least 1
 * @param window           a failure that comes more than this after the previous one starts the count again; positive
 * @param resetTimeout     time OPEN before one probe is let through; positive
 * @param probeLease       how long a probe holds its place, and its hard deadline: a probe that has not reported
 *                         by then has failed (the breaker opens again). {@link #probeLease(Duration, Duration)}
 *                         covers everything a probe can take until its answer head is in, so two probes never
 *                         overlap, and a probe lost with its instance cannot wedge the breaker; positive
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

    /** A policy from the gateway-wide defaults and a route's upstream timeouts. */
    public static BreakerPolicy of(GatewayProperties.CircuitBreaker settings, Duration upstreamTimeout,
                                   Duration connectTimeout) {
        return new BreakerPolicy(settings.getFailureThreshold(), settings.getWindow(), settings.getResetTimeout(),
                probeLease(upstreamTimeout, connectTimeout));
    }

    /** The defaults every route gets unless it sets its own. */
    public static BreakerPolicy defaults(GatewayProperties properties) {
        return of(properties.getCircuitBreaker(), properties.getUpstreamTimeout(),
                properties.getUpstreamConnectTimeout());
    }

    /**
     * The longest a probe can take until its outcome is known: the wait for a pooled connection (the http
     * producer's {@code connectionRequestTimeout}, the connect timeout), connecting (the connect timeout), sending
     * the request and waiting for the answer head (the upstream timeout, which also bounds each read and write
     * stall of an upload), and {@link #PROBE_LEASE_MARGIN} for the outcome to reach the store.
     */
    public static Duration probeLease(Duration upstreamTimeout, Duration connectTimeout) {
        requirePositive("upstreamTimeout", upstreamTimeout);
        requirePositive("connectTimeout", connectTimeout);
        return connectTimeout.multipliedBy(2).plus(upstreamTimeout).plus(PROBE_LEASE_MARGIN);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.toMillis() < 1) {
            throw new IllegalArgumentException("circuit breaker " + name + " must be at least 1 ms, was " + value);
        }
    }
}
