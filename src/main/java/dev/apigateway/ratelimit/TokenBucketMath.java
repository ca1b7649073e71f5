package dev.apigateway.ratelimit;

import dev.apigateway.ratelimit.RateLimitDecision.Outcome;

/**
 * The token-bucket arithmetic, shared by every store. {@code META-INF/scripts/token_bucket.lua}
 * performs the same double operations in the same order, so both stores give the same tokens for
 * the same inputs; change both together.
 *
 * <p>Time is in microseconds. Refill is continuous: {@code elapsed * refillTokens / periodMicros}.
 */
public final class TokenBucketMath {

    /** Kept beyond the time to refill an empty bucket, so an idle bucket expires only when full. */
    static final long TTL_MARGIN_MILLIS = 1_000;

    /** Absorbs floating-point noise (far below a microsecond) before rounding seconds up. */
    private static final double ROUNDING_SLACK_SECONDS = 1e-9;

    private TokenBucketMath() {
    }

    /** A bucket after one acquire: tokens left (fractional) and the time they are valid at. */
    public record Bucket(boolean allowed, double tokens, long lastRefillMicros) {
    }

    /**
     * Refill from {@code lastRefillMicros} to {@code nowMicros}, then take one token if a whole one
     * is there. A missing bucket ({@code existing == null}) starts full. Time never runs backwards:
     * an earlier {@code now} refills nothing and keeps the later timestamp.
     */
    public static Bucket acquire(Bucket existing, long nowMicros, RateLimitPolicy policy) {
        double capacity = policy.capacity();
        double tokens = existing == null ? capacity : existing.tokens();
        long last = existing == null ? nowMicros : existing.lastRefillMicros();
        double elapsed = nowMicros - last;
        if (elapsed < 0) {
            elapsed = 0;
        }
        tokens = Math.min(capacity, tokens + (elapsed * policy.refillTokens()) / policy.refillPeriodMicros());
        if (nowMicros > last) {
            last = nowMicros;
        }
        boolean allowed = false;
        if (tokens >= 1) {
            tokens = tokens - 1;
            allowed = true;
        }
        return new Bucket(allowed, tokens, last);
    }

    /** The decision (and header numbers) for a bucket left with {@code tokens} after the request. */
    public static RateLimitDecision decision(boolean allowed, double tokens, RateLimitPolicy policy) {
        long remaining = (long) Math.floor(tokens);
        long reset = secondsFor(policy.capacity() - tokens, policy);
        long retryAfter = allowed ? 0 : Math.max(1, secondsFor(1 - tokens, policy));
        return new RateLimitDecision(allowed ? Outcome.ALLOWED : Outcome.LIMITED,
                policy.capacity(), remaining, reset, retryAfter);
    }

    /** Seconds, rounded up, to refill {@code tokens} tokens; 0 for none. */
    static long secondsFor(double tokens, RateLimitPolicy policy) {
        if (tokens <= 0) {
            return 0;
        }
        double seconds = tokens * policy.refillPeriodMicros() / policy.refillTokens() / 1_000_000.0;
        return Math.max(0, (long) Math.ceil(seconds - ROUNDING_SLACK_SECONDS));
    }

    /**
     * How long an idle bucket is kept: the time to refill it from empty plus a margin, at least one
     * second. After that the bucket would be full anyway, so forgetting it changes nothing. (Spring
     * Cloud Gateway's {@code floor(2*burst/rate)} seconds became 0 for small bursts.)
     */
    public static long ttlMillis(RateLimitPolicy policy) {
        double fillMillis = (double) policy.capacity() * policy.refillPeriodMicros() / policy.refillTokens() / 1000.0;
        return Math.max(1_000, (long) Math.ceil(fillMillis) + TTL_MARGIN_MILLIS);
    }
}
