package dev.apigateway.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * One token bucket's settings: {@code capacity} tokens at most (the largest burst), refilled
 * continuously at {@code refillTokens} per {@code refillPeriod}. Each request costs one token.
 *
 * @param capacity     bucket size, at least 1
 * @param refillTokens tokens added per period, at least 1
 * @param refillPeriod the period, at least 1 microsecond
 * @throws IllegalArgumentException naming the bad value when one is out of range
 */
public record RateLimitPolicy(long capacity, long refillTokens, Duration refillPeriod) {

    /** Longest period accepted: keeps every microsecond computation far below 2^53. */
    static final Duration MAX_PERIOD = Duration.ofDays(365);

    public RateLimitPolicy {
        if (capacity < 1) {
            throw new IllegalArgumentException("rate limit capacity must be at least 1, was " + capacity);
        }
        if (refillTokens < 1) {
            throw new IllegalArgumentException("rate limit refill tokens must be at least 1, was " + refillTokens);
        }
        Objects.requireNonNull(refillPeriod, "rate limit refill period must be set");
        if (refillPeriod.isNegative() || refillPeriod.compareTo(Duration.ofNanos(1000)) < 0
                || refillPeriod.compareTo(MAX_PERIOD) > 0) {
            throw new IllegalArgumentException(
                    "rate limit refill period must be between 1 microsecond and 365 days, was " + refillPeriod);
        }
    }

    /** Convenience for the common case of a period in whole seconds. */
    public static RateLimitPolicy of(long capacity, long refillTokens, long refillPeriodSeconds) {
        if (refillPeriodSeconds < 1) {
            throw new IllegalArgumentException(
                    "rate limit refill period must be at least 1 second, was " + refillPeriodSeconds);
        }
        return new RateLimitPolicy(capacity, refillTokens, Duration.ofSeconds(refillPeriodSeconds));
    }

    /** The refill period in microseconds, the unit the bucket arithmetic works in. */
    public long refillPeriodMicros() {
        return refillPeriod.toNanos() / 1000;
    }

    /** Seconds to refill an empty bucket, rounded up: the {@code w} of {@code RateLimit-Policy}. */
    public long windowSeconds() {
        return TokenBucketMath.secondsFor(capacity, this);
    }

    /**
     * This instance's share of the limit when {@code instances} gateways limit on their own:
     * capacity divided (at least 1) and the refill rate divided exactly, by stretching the
     * period instead of dividing the (whole) refill tokens.
     */
    public RateLimitPolicy share(int instances) {
        if (instances <= 1) {
            return this;
        }
        long sharedCapacity = Math.max(1, capacity / instances);
        Duration stretched = refillPeriod.multipliedBy(instances);
        if (stretched.compareTo(MAX_PERIOD) > 0) {
            stretched = MAX_PERIOD;
        }
        return new RateLimitPolicy(sharedCapacity, refillTokens, stretched);
    }
}
