package dev.apigateway.ratelimit;

/**
 * The rate-limiter port the proxy route calls once per request. Implementations never throw for
 * store trouble: the fail mode turns it into a decision ({@link RateLimitDecision.Outcome}).
 */
public interface RateLimiter {

    /**
     * Spends one token from the bucket of {@code clientKey} on {@code routeId}, if there is one.
     *
     * @param routeId   the route (kebab-case id); buckets of different routes are independent
     * @param clientKey the client's key (address or API key); never used as a metric tag
     * @param policy    the route's bucket settings
     * @return the decision and the numbers for the rate-limit headers
     */
    RateLimitDecision tryAcquire(String routeId, String clientKey, RateLimitPolicy policy);
}
