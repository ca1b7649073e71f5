package dev.apigateway.circuitbreaker;

import java.time.Instant;

/**
 * One route's breaker as the operator endpoint shows it.
 *
 * @param source {@code shared} (Redis), {@code memory} (single-instance store) or {@code local}
 *               (Resilience4j fallback while Redis is unreachable)
 */
public record BreakerView(
        String route,
        BreakerState state,
        long failures,
        Instant openedUntil,
        boolean probeHeld,
        Instant probeExpiresAt,
        long generation,
        String source,
        int failureThreshold,
        long windowSeconds,
        long resetTimeoutSeconds) {
}
