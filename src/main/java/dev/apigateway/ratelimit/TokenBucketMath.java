package dev.apigateway.ratelimit;

import dev.apigateway.ratelimit.RateLimitDecision.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The token-bucket arithmetic, shared by every store. {@code META-INF/scripts/token_bucket.lua}
 * performs the same double operations in the same order, so both stores give the same tokens for
 * the same inputs; change both together. A plan of several limits is one call over all its buckets.
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
     * The buckets of a plan after one request costing {@code cost} tokens: each is refilled up to now; a limit
     * admits when its bucket holds {@code cost} whole tokens; the request passes when every enforced limit admits,
     * and then each admitting bucket gives {@code cost} tokens. When an enforced limit refuses, nothing is taken from
     * any bucket (a shadow limit that refuses only records it). {@link Bucket#allowed()} is each limit's own answer.
     *
     * @param existing the plan's buckets in its order, {@code null} for one that does not exist yet (it starts full)
     */
    public static List<Bucket> acquire(List<Bucket> existing, long nowMicros, RateLimitPlan plan, long cost) {
        List<NamedLimit> limits = plan.limits();
        Bucket[] refilled = new Bucket[limits.size()];
        boolean pass = true;
        for (int i = 0; i < refilled.length; i++) {
            Bucket b = refill(existing.get(i), nowMicros, limits.get(i).policy());
            boolean admits = b.tokens() >= cost;
            refilled[i] = new Bucket(admits, b.tokens(), b.lastRefillMicros());
            if (!admits && !limits.get(i).shadow()) {
                pass = false;
            }
        }
        if (pass) {
            for (int i = 0; i < refilled.length; i++) {
                Bucket b = refilled[i];
                if (b.allowed()) {
                    refilled[i] = new Bucket(true, b.tokens() - cost, b.lastRefillMicros());
                }
            }
        }
        return Arrays.asList(refilled);
    }

    /** True when every enforced limit of the plan admitted (the request passes). */
    public static boolean passes(List<Bucket> after, RateLimitPlan plan) {
        for (int i = 0; i < after.size(); i++) {
            if (!after.get(i).allowed() && !plan.limits().get(i).shadow()) {
                return false;
            }
        }
        return true;
    }

    /** The verdict (and header numbers) for a plan's buckets after one request ({@link #acquire(List, long, RateLimitPlan, long)}). */
    public static RateLimitVerdict verdict(List<Bucket> after, RateLimitPlan plan, long cost) {
        boolean pass = passes(after, plan);
        List<RateLimitVerdict.LimitResult> results = new ArrayList<>(after.size());
        for (int i = 0; i < after.size(); i++) {
            NamedLimit limit = plan.limits().get(i);
            RateLimitDecision d = decision(after.get(i).allowed(), after.get(i).tokens(), limit.policy(), cost);
            if (!d.allowed() && limit.shadow()) {
                d = new RateLimitDecision(Outcome.SHADOW_LIMITED, d.limit(), d.remaining(), d.resetSeconds(),
                        d.retryAfterSeconds());
            }
            results.add(new RateLimitVerdict.LimitResult(limit, d));
        }
        return new RateLimitVerdict(pass, results);
    }

    /**
     * Refill from {@code lastRefillMicros} to {@code nowMicros}. A missing bucket ({@code existing == null}) starts
     * full. Time never runs backwards: an earlier {@code now} refills nothing and keeps the later timestamp.
     */
    private static Bucket refill(Bucket existing, long nowMicros, RateLimitPolicy policy) {
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
        return new Bucket(false, tokens, last);
    }

    /**
     * The decision (and header numbers) for a bucket left with {@code tokens} after a request of {@code cost} tokens:
     * a refused one may retry once {@code cost} tokens are back.
     */
    static RateLimitDecision decision(boolean allowed, double tokens, RateLimitPolicy policy, long cost) {
        long remaining = (long) Math.floor(tokens);
        long reset = secondsFor(policy.capacity() - tokens, policy);
        long retryAfter = allowed ? 0 : Math.max(1, secondsFor(cost - tokens, policy));
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
