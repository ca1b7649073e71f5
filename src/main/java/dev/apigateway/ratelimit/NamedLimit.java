package dev.apigateway.ratelimit;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One named limit of a route: a token bucket ({@link RateLimitPolicy}) and whether it is enforced or only watched.
 *
 * @param name   the limit's name in {@code RateLimit-Policy}, the {@code limit} metric tag and the Redis key suffix:
 *               1-32 lower-case letters, digits, {@code _} or {@code -}
 * @param policy the bucket
 * @param shadow {@code true}: counted and reported in the headers and metrics, never refuses a request
 * @throws IllegalArgumentException naming the bad value
 */
public record NamedLimit(String name, RateLimitPolicy policy, boolean shadow) {

    /** The name of the one limit the single {@code RATE_LIMIT_*} settings make; its Redis key has no suffix. */
    public static final String DEFAULT_NAME = "default";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

    public NamedLimit {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("limit name '" + name
                    + "' must be 1-32 lower-case letters, digits, '_' or '-', starting with a letter or digit");
        }
        Objects.requireNonNull(policy, "policy");
    }

    /** The same limit, watched only. */
    public NamedLimit asShadow() {
        return shadow ? this : new NamedLimit(name, policy, true);
    }

    /** Seconds to refill an empty bucket, at least 1: the {@code w} of {@code RateLimit-Policy}. */
    public long windowSeconds() {
        return Math.max(1, policy.windowSeconds());
    }

    /** {@code name:capacity:refill:periodSeconds[:shadow]} (period in whole seconds, rounded up), the syntax {@link RateLimitPlan#parse} reads. */
    String spec() {
        long seconds = Math.max(1, (policy.refillPeriodMicros() + 999_999) / 1_000_000); // routes use whole seconds
        return name + ':' + policy.capacity() + ':' + policy.refillTokens() + ':' + seconds + (shadow ? ":shadow" : "");
    }
}
