package dev.apigateway.ratelimit;

import java.util.OptionalLong;

/**
 * Where buckets live (SPI). Both stores compute the same thing, {@link TokenBucketMath}; they differ
 * in where the state is and whose clock is used.
 */
public interface TokenBucketStore {

    /**
     * Refills every bucket of the plan up to now, then takes {@code cost} tokens from each if every enforced limit
     * has them, all in one atomic step (one round trip to a remote store); when one refuses, none is spent.
     *
     * @param cost      tokens the request costs, at least 1 and at most the plan's smallest capacity
     * @param nowMicros the time in microseconds to compute with (tests drive time with it); empty means
     *                  the store's own clock (the Redis server's {@code TIME}, or the JVM's monotonic clock)
     * @return each limit's decision ({@link RateLimitDecision.Outcome#ALLOWED}, {@code LIMITED} or
     *         {@code SHADOW_LIMITED}) and whether the request passes
     * @throws RuntimeException when the store cannot be reached (the caller's guard deals with it)
     */
    RateLimitVerdict acquire(String routeId, String clientKey, RateLimitPlan plan, long cost, OptionalLong nowMicros);

    /** One bucket, one token: {@link #acquire(String, String, RateLimitPlan, long, OptionalLong)} of a one-limit plan. */
    default RateLimitDecision acquire(String routeId, String clientKey, RateLimitPolicy policy, OptionalLong nowMicros) {
        return acquire(routeId, clientKey, RateLimitPlan.single(policy), 1, nowMicros).single();
    }
}
