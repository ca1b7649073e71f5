package dev.apigateway.ratelimit;

import java.util.OptionalLong;

/**
 * Where buckets live (SPI). Both stores compute the same thing, {@link TokenBucketMath}; they differ
 * in where the state is and whose clock is used.
 */
public interface TokenBucketStore {

    /**
     * Refills the bucket up to now, then takes one token if there is a whole one, atomically.
     *
     * @param nowMicros the time in microseconds to compute with (tests drive time with it); empty means
     *                  the store's own clock (the Redis server's {@code TIME}, or the JVM's monotonic clock)
     * @return {@link RateLimitDecision.Outcome#ALLOWED} or {@link RateLimitDecision.Outcome#LIMITED}
     * @throws RuntimeException when the store cannot be reached (the caller's guard deals with it)
     */
    RateLimitDecision acquire(String routeId, String clientKey, RateLimitPolicy policy, OptionalLong nowMicros);
}
