package dev.apigateway.ratelimit;

import java.util.OptionalLong;

/**
 * The limiter for a single instance ({@code STATE_STORE=memory}): buckets in this JVM only, no
 * shared store, so no fail mode applies.
 */
public class LocalRateLimiter implements RateLimiter {

    private final TokenBucketStore store;
    private final RateLimitMetrics metrics;

    public LocalRateLimiter(TokenBucketStore store, RateLimitMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @Override
    public RateLimitVerdict tryAcquire(String routeId, String clientKey, RateLimitPlan plan, long cost) {
        RateLimitVerdict verdict = store.acquire(routeId, clientKey, plan, cost, OptionalLong.empty());
        metrics.record(routeId, verdict);
        return verdict;
    }
}
