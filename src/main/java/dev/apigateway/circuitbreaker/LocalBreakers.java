package dev.apigateway.circuitbreaker;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * The fallback used while the shared store is unreachable: a plain Resilience4j breaker per route with the
 * route's thresholds. Made standalone (no {@code CircuitBreakerRegistry} bean, which Camel's
 * circuitBreaker EIP would pick up).
 */
final class LocalBreakers {

    /** What the local breaker records for a failure the caller reported. */
    static final Throwable UPSTREAM_FAILURE = new RuntimeException("upstream failure", null, false, false) {
    };

    private LocalBreakers() {
    }

    /**
     * Threshold failures in a row open it (count-based window of the threshold, 100 % failure rate, minimum
     * calls = threshold); OPEN for the reset timeout, then one probe; no automatic transition, so it moves
     * to HALF_OPEN on the first request after the wait. Runs on {@code clock} so tests can drive it.
     */
    static CircuitBreaker create(String route, BreakerPolicy p, Clock clock,
                                 Consumer<CircuitBreakerOnStateTransitionEvent> onTransition) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(p.failureThreshold())
                .minimumNumberOfCalls(p.failureThreshold())
                .failureRateThreshold(100)
                .waitDurationInOpenState(p.resetTimeout())
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .clock(clock)
                .build();
        CircuitBreaker cb = CircuitBreaker.of("gateway-local-" + route, config);
        cb.getEventPublisher().onStateTransition(onTransition::accept);
        return cb;
    }

    /** Our state for a Resilience4j one; null for DISABLED, METRICS_ONLY and FORCED_OPEN, never used here. */
    static BreakerState map(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> BreakerState.CLOSED;
            case OPEN -> BreakerState.OPEN;
            case HALF_OPEN -> BreakerState.HALF_OPEN;
            default -> null;
        };
    }
}
