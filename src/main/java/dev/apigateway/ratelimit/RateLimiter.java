package dev.apigateway.ratelimit;

/**
 * The rate-limiter port the proxy route calls once per request. Implementations never throw for
 * store trouble: the fail mode turns it into a decision ({@link RateLimitDecision.Outcome}).
 */
public interface RateLimiter {

    /**
     * Spends {@code cost} tokens from every limit of the plan for {@code clientKey} on {@code routeId}, if every
     * enforced limit has them; otherwise spends nothing.
     *
     * @param routeId   the route (kebab-case id); buckets of different routes are independent
     * @param clientKey the client's key (address or API key); never used as a metric tag
     * @param plan      the route's limits
     * @param cost      tokens this request costs, at least 1
     * @return each limit's decision and whether the request passes, with the numbers for the rate-limit headers
     */
    RateLimitVerdict tryAcquire(String routeId, String clientKey, RateLimitPlan plan, long cost);

    /** One limit named {@code default}, one token. */
    default RateLimitDecision tryAcquire(String routeId, String clientKey, RateLimitPolicy policy) {
        return tryAcquire(routeId, clientKey, RateLimitPlan.single(policy), 1).single();
    }
}
