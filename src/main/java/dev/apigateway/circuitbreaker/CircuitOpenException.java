package dev.apigateway.circuitbreaker;

/**
 * The route's breaker is OPEN, or HALF_OPEN with its probe already out: answer 503 {@code circuit_open}
 * with {@code Retry-After: retryAfterSeconds} and do not call the upstream. Thrown on every rejected
 * request, so it carries no stack trace.
 */
public class CircuitOpenException extends RuntimeException {

    private final String routeId;
    private final long retryAfterSeconds;

    public CircuitOpenException(String routeId, long retryAfterSeconds) {
        super("circuit breaker of route '" + routeId + "' is open; retry after " + retryAfterSeconds + " s",
                null, false, false);
        this.routeId = routeId;
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** Builds the exception from milliseconds until the next probe, rounded up to whole seconds, at least 1. */
    static CircuitOpenException retryAfterMillis(String routeId, long millis) {
        return new CircuitOpenException(routeId, Math.max(1, (millis + 999) / 1000));
    }

    public String routeId() { return routeId; }

    /** Whole seconds until the next probe may be let through, at least 1. */
    public long retryAfterSeconds() { return retryAfterSeconds; }
}
