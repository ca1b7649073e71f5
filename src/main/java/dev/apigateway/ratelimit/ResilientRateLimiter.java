package dev.apigateway.ratelimit;

import dev.apigateway.config.GatewayProperties.FailMode;
import dev.apigateway.ratelimit.RateLimitDecision.Outcome;
import dev.apigateway.store.RateLimitedLog;
import dev.apigateway.store.SharedStore;
import dev.apigateway.store.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limiter for gateways sharing a store: the shared (Redis) bucket through the {@link SharedStore} port,
 * and the fail mode ({@code RATE_LIMIT_FAIL_MODE}) when the store cannot answer.
 */
public class ResilientRateLimiter implements RateLimiter {

    public static final String OPERATION = "rate_limit";

    private static final Logger log = LoggerFactory.getLogger(ResilientRateLimiter.class);

    private final TokenBucketStore shared;
    private final SharedStore guard;
    private final TokenBucketStore local;
    private final IntSupplier liveInstances;
    private final FailMode failMode;
    private final RateLimitMetrics metrics;
    private final RateLimitedLog fallbackLog = new RateLimitedLog(log);

    /**
     * @param shared        the shared store, called through {@code guard}
     * @param local         the in-process store for fail mode {@code local}
     * @param liveInstances live gateway instances last seen in the store (at least 1)
     */
    public ResilientRateLimiter(TokenBucketStore shared, SharedStore guard, TokenBucketStore local,
                                IntSupplier liveInstances, FailMode failMode, RateLimitMetrics metrics) {
        this.shared = Objects.requireNonNull(shared, "shared");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.local = Objects.requireNonNull(local, "local");
        this.liveInstances = Objects.requireNonNull(liveInstances, "liveInstances");
        this.failMode = Objects.requireNonNull(failMode, "failMode");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public RateLimitVerdict tryAcquire(String routeId, String clientKey, RateLimitPlan plan, long cost) {
        RateLimitVerdict verdict;
        try {
            verdict = guard.call(OPERATION, () -> shared.acquire(routeId, clientKey, plan, cost, OptionalLong.empty()));
        } catch (StoreUnavailableException e) {
            verdict = fallback(routeId, clientKey, plan, cost, e);
        }
        metrics.record(routeId, verdict);
        return verdict;
    }

    public FailMode failMode() {
        return failMode;
    }

    /*
     * The failure policy. The store is down or in its backoff; the request must not wait for it.
     * - LOCAL (default): keep limiting, in this instance alone, with this instance's share of the limit:
     *   capacity and refill divided by the instances last seen alive. The cluster then admits about the
     *   configured limit in total, the way it did with the store, without trusting the store to come back.
     * - OPEN: availability over protection: let every request through, uncounted.
     * - CLOSED: protection over availability: refuse (503 store_unavailable) until the store is back.
     * Each fallback decision is counted by outcome and logged, at most one line per 10 s.
     */
    private RateLimitVerdict fallback(String routeId, String clientKey, RateLimitPlan plan, long cost,
                                      StoreUnavailableException e) {
        RateLimitVerdict verdict = switch (failMode) {
            case LOCAL -> {
                int instances = Math.max(1, liveInstances.getAsInt());
                RateLimitPlan share = plan.share(instances);
                // a cost above this instance's share of a limit is cut to the share, so such a request can still pass
                long localCost = Math.min(cost, share.smallestCapacity());
                yield asFallback(local.acquire(routeId, clientKey, share, localCost, OptionalLong.empty()), plan);
            }
            case OPEN -> each(plan, true, l -> RateLimitDecision.failOpen(l.policy()));
            // a plan of shadow limits never refuses, not even for want of its store
            case CLOSED -> plan.allShadow() ? each(plan, true, l -> RateLimitDecision.failOpen(l.policy()))
                    : each(plan, false, l -> RateLimitDecision.storeUnavailable(l.policy(), e.retryAfterSeconds()));
        };
        String logged = (verdict.allowed() ? Outcome.FALLBACK_ALLOWED : verdict.storeUnavailable()
                ? Outcome.STORE_UNAVAILABLE : Outcome.FALLBACK_LIMITED).tag();
        fallbackLog.warn("store_unavailable",
                "rate limit store unavailable; fail mode " + failMode.name().toLowerCase() + " decides",
                line -> line.addKeyValue("route", routeId)
                        .addKeyValue("fail_mode", failMode.name().toLowerCase())
                        .addKeyValue("outcome", logged)
                        .addKeyValue("store_skipped", e.skipped()),
                null);
        return verdict;
    }

    /** The local store's verdict, each decision marked as the fallback's, on the configured limits (not the share). */
    private static RateLimitVerdict asFallback(RateLimitVerdict local, RateLimitPlan plan) {
        List<RateLimitVerdict.LimitResult> results = new ArrayList<>();
        for (int i = 0; i < local.limits().size(); i++) {
            results.add(new RateLimitVerdict.LimitResult(plan.limits().get(i),
                    local.limits().get(i).decision().asFallback()));
        }
        return new RateLimitVerdict(local.allowed(), results);
    }

    private static RateLimitVerdict each(RateLimitPlan plan, boolean allowed,
                                         Function<NamedLimit, RateLimitDecision> decision) {
        return new RateLimitVerdict(allowed, plan.limits().stream()
                .map(l -> new RateLimitVerdict.LimitResult(l, decision.apply(l))).toList());
    }
}
