package dev.apigateway.ratelimit;

/**
 * What the limiter decided for one request, with the numbers the rate-limit headers need.
 *
 * @param outcome           what happened, see {@link Outcome}
 * @param limit             the bucket capacity the numbers refer to ({@code RateLimit-Limit}, {@code q})
 * @param remaining         whole tokens left after this request ({@code RateLimit-Remaining}, {@code r})
 * @param resetSeconds      seconds until the bucket is full again, rounded up ({@code RateLimit-Reset}, {@code t})
 * @param retryAfterSeconds seconds until the request's tokens are back, rounded up; at least 1 when the bucket
 *                          refused, 0 when it admitted ({@code Retry-After})
 */
public record RateLimitDecision(Outcome outcome, long limit, long remaining, long resetSeconds,
                                long retryAfterSeconds) {

    /** How a decision was reached. The lower-case name is the {@code outcome} metric tag. */
    public enum Outcome {
        /** The shared store had a token. */
        ALLOWED(true),
        /** The shared store's bucket was empty: answer 429. */
        LIMITED(false),
        /**
         * A shadow limit's bucket was empty (shared or local): it would have refused, but it only watches, so the
         * request goes on. Nothing is spent from it.
         */
        SHADOW_LIMITED(true),
        /** The store was unavailable; let through by the local share ({@code local}) or unconditionally ({@code open}). */
        FALLBACK_ALLOWED(true),
        /** The store was unavailable and the local share's bucket was empty: answer 429. */
        FALLBACK_LIMITED(false),
        /** The store was unavailable and the fail mode is {@code closed}: answer 503 {@code store_unavailable}. */
        STORE_UNAVAILABLE(false);

        private final boolean allowed;
        private final String tag;

        Outcome(boolean allowed) {
            this.allowed = allowed;
            this.tag = name().toLowerCase(java.util.Locale.ROOT);
        }

        public boolean allowed() { return allowed; }

        /** Metric tag value: {@code allowed}, {@code limited}, {@code fallback_allowed}, ... */
        public String tag() { return tag; }
    }

    public RateLimitDecision {
        if (outcome == null) {
            throw new IllegalArgumentException("outcome must be set");
        }
        if (limit < 0 || remaining < 0 || resetSeconds < 0 || retryAfterSeconds < 0) {
            throw new IllegalArgumentException("decision numbers must not be negative: limit=" + limit
                    + " remaining=" + remaining + " reset=" + resetSeconds + " retryAfter=" + retryAfterSeconds);
        }
        if (!outcome.allowed() && retryAfterSeconds < 1) {
            throw new IllegalArgumentException("a refused request needs retryAfterSeconds >= 1, was " + retryAfterSeconds);
        }
    }

    /** True when the request may go on. */
    public boolean allowed() {
        return outcome.allowed();
    }

    /** True when the client's bucket was empty (answer 429 {@code rate_limited}). */
    public boolean rateLimited() {
        return outcome == Outcome.LIMITED || outcome == Outcome.FALLBACK_LIMITED;
    }

    /** The same numbers marked as decided by the local fallback bucket. */
    RateLimitDecision asFallback() {
        return switch (outcome) {
            case SHADOW_LIMITED -> this;
            case ALLOWED -> new RateLimitDecision(Outcome.FALLBACK_ALLOWED, limit, remaining, resetSeconds, 0);
            case LIMITED -> new RateLimitDecision(Outcome.FALLBACK_LIMITED, limit, remaining, resetSeconds, retryAfterSeconds);
            default -> this;
        };
    }

    /**
     * Fail mode {@code open}: let the request through without counting it. Nothing is known about the
     * bucket, so the numbers say "full": remaining = limit, reset 0.
     */
    static RateLimitDecision failOpen(RateLimitPolicy policy) {
        return new RateLimitDecision(Outcome.FALLBACK_ALLOWED, policy.capacity(), policy.capacity(), 0, 0);
    }

    /** Fail mode {@code closed}: refuse with 503; retry after {@code retryAfterSeconds} (at least 1). */
    static RateLimitDecision storeUnavailable(RateLimitPolicy policy, long retryAfterSeconds) {
        return new RateLimitDecision(Outcome.STORE_UNAVAILABLE, policy.capacity(), 0, 0, Math.max(1, retryAfterSeconds));
    }
}
