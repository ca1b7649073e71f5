package dev.apigateway.ratelimit;

import dev.apigateway.ratelimit.RateLimitDecision.Outcome;
import java.util.Comparator;
import java.util.List;

/**
 * What the limiter decided for one request on a route with one or more limits: each limit's own decision, and
 * whether the request passes (every enforced limit admitted it).
 *
 * @param allowed true when the request may go on
 * @param limits  each limit of the route's plan, in the plan's order, with its decision
 */
public record RateLimitVerdict(boolean allowed, List<LimitResult> limits) {

    /** One limit and what it decided. */
    public record LimitResult(NamedLimit limit, RateLimitDecision decision) {
    }

    public RateLimitVerdict {
        if (limits == null || limits.isEmpty()) {
            throw new IllegalArgumentException("a verdict needs the decision of at least one limit");
        }
        limits = List.copyOf(limits);
    }

    /** The whole verdict of a one-limit route: its limit's decision. */
    public RateLimitDecision single() {
        return limits.get(0).decision();
    }

    /** True when an enforced limit's bucket was empty: answer 429 {@code rate_limited}. */
    public boolean rateLimited() {
        return !allowed && limits.stream().anyMatch(r -> r.decision().rateLimited());
    }

    /** True when the store was away and the fail mode is {@code closed}: answer 503 {@code store_unavailable}. */
    public boolean storeUnavailable() {
        return !allowed && limits.stream().anyMatch(r -> r.decision().outcome() == Outcome.STORE_UNAVAILABLE);
    }

    /**
     * Seconds until every enforced limit can admit the request again: the longest wait of any refusing one; 0 when
     * none refused. Shadow limits never hold a request back, so their wait does not count.
     */
    public long retryAfterSeconds() {
        return limits.stream().filter(r -> !r.limit().shadow())
                .mapToLong(r -> r.decision().retryAfterSeconds()).max().orElse(0);
    }

    /**
     * The limit nearest to refusing, for {@code RateLimit} and the {@code RateLimit-Limit/-Remaining/-Reset} trio:
     * among the enforced limits (all limits when every one is a shadow), a refusing one with the longest wait, else
     * the one with the fewest tokens left, then the longest time to refill.
     */
    public LimitResult nearest() {
        boolean anyEnforced = limits.stream().anyMatch(r -> !r.limit().shadow());
        return limits.stream()
                .filter(r -> !anyEnforced || !r.limit().shadow())
                .min(Comparator.<LimitResult>comparingLong(r -> -r.decision().retryAfterSeconds())
                        .thenComparingLong(r -> r.decision().remaining())
                        .thenComparingLong(r -> -r.decision().resetSeconds()))
                .orElseThrow();
    }
}
