package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.ratelimit.RateLimitDecision.Outcome;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link TokenBucketStore} shares, with time driven by the {@code now} argument.
 * Run once per store by a subclass.
 */
abstract class TokenBucketStoreContract {

    /** An arbitrary epoch-like start, in microseconds. */
    static final long T0 = 1_764_300_000_000_000L;
    static final long SECOND = 1_000_000L;

    abstract TokenBucketStore store();

    RateLimitDecision at(long micros, String route, String key, RateLimitPolicy policy) {
        return store().acquire(route, key, policy, OptionalLong.of(micros));
    }

    @Test
    void burstOfCapacityPassesThenTheNextIsLimited() {
        RateLimitPolicy policy = RateLimitPolicy.of(5, 1, 10);
        for (int i = 1; i <= 5; i++) {
            RateLimitDecision d = at(T0, "proxy-default", "10.0.0.1", policy);
            assertThat(d.outcome()).isEqualTo(Outcome.ALLOWED);
            assertThat(d.remaining()).isEqualTo(5 - i);
        }
        RateLimitDecision limited = at(T0, "proxy-default", "10.0.0.1", policy);
        assertThat(limited.outcome()).isEqualTo(Outcome.LIMITED);
        assertThat(limited.allowed()).isFalse();
        assertThat(limited.rateLimited()).isTrue();
        assertThat(limited.remaining()).isZero();
        assertThat(limited.limit()).isEqualTo(5);
        assertThat(limited.retryAfterSeconds()).isEqualTo(10);
        assertThat(limited.resetSeconds()).isEqualTo(50);
    }

    @Test
    void refillIsContinuousAQuarterPeriodGivesAQuarterOfTheRefill() {
        RateLimitPolicy policy = RateLimitPolicy.of(10, 8, 60);
        drain(T0, "r", "k", policy, 10);
        assertThat(at(T0, "r", "k", policy).outcome()).isEqualTo(Outcome.LIMITED);

        long quarter = T0 + 15 * SECOND; // 0.25 of the period: 2 of the 8 tokens are back
        assertThat(at(quarter, "r", "k", policy).outcome()).isEqualTo(Outcome.ALLOWED);
        assertThat(at(quarter, "r", "k", policy).outcome()).isEqualTo(Outcome.ALLOWED);
        assertThat(at(quarter, "r", "k", policy).outcome()).isEqualTo(Outcome.LIMITED);
    }

    @Test
    void fractionalTokensAccumulateAcrossRequests() {
        RateLimitPolicy policy = RateLimitPolicy.of(1, 1, 10);
        drain(T0, "r", "k", policy, 1);
        // 0.4 + 0.4 is not yet a token; a further 0.2 is
        assertThat(at(T0 + 4 * SECOND, "r", "k", policy).outcome()).isEqualTo(Outcome.LIMITED);
        assertThat(at(T0 + 8 * SECOND, "r", "k", policy).outcome()).isEqualTo(Outcome.LIMITED);
        assertThat(at(T0 + 10 * SECOND, "r", "k", policy).outcome()).isEqualTo(Outcome.ALLOWED);
    }

    @Test
    void remainingResetAndRetryAfterAreExactForGivenTimes() {
        RateLimitPolicy policy = RateLimitPolicy.of(10, 10, 60); // one token every 6 s

        RateLimitDecision first = at(T0, "r", "k", policy);
        assertThat(first).isEqualTo(new RateLimitDecision(Outcome.ALLOWED, 10, 9, 6, 0));

        drain(T0, "r", "k", policy, 9);
        RateLimitDecision empty = at(T0, "r", "k", policy);
        assertThat(empty).isEqualTo(new RateLimitDecision(Outcome.LIMITED, 10, 0, 60, 6));

        // 3 s later half a token is back: one is 3 s away, full 57 s away
        RateLimitDecision half = at(T0 + 3 * SECOND, "r", "k", policy);
        assertThat(half).isEqualTo(new RateLimitDecision(Outcome.LIMITED, 10, 0, 57, 3));

        // 1 microsecond short of a token: still limited, retry after 1 s (rounded up, at least 1)
        RateLimitDecision almost = at(T0 + 6 * SECOND - 1, "r", "k", policy);
        assertThat(almost.outcome()).isEqualTo(Outcome.LIMITED);
        assertThat(almost.retryAfterSeconds()).isEqualTo(1);

        // exactly one token back: allowed, and the bucket is empty again
        RateLimitDecision one = at(T0 + 6 * SECOND, "r", "k", policy);
        assertThat(one).isEqualTo(new RateLimitDecision(Outcome.ALLOWED, 10, 0, 60, 0));
    }

    @Test
    void anIdleBucketRefillsOnlyUpToCapacity() {
        RateLimitPolicy policy = RateLimitPolicy.of(3, 1, 1);
        drain(T0, "r", "k", policy, 3);
        long later = T0 + 3_600 * SECOND;
        assertThat(at(later, "r", "k", policy).remaining()).isEqualTo(2);
        drain(later, "r", "k", policy, 2);
        assertThat(at(later, "r", "k", policy).outcome()).isEqualTo(Outcome.LIMITED);
    }

    @Test
    void timeGoingBackwardsRefillsNothing() {
        RateLimitPolicy policy = RateLimitPolicy.of(2, 1, 1);
        drain(T0, "r", "k", policy, 2);
        assertThat(at(T0 - 5 * SECOND, "r", "k", policy).outcome()).isEqualTo(Outcome.LIMITED);
        // and the earlier time did not move the refill clock back either
        assertThat(at(T0 + SECOND, "r", "k", policy).outcome()).isEqualTo(Outcome.ALLOWED);
        assertThat(at(T0 + SECOND, "r", "k", policy).outcome()).isEqualTo(Outcome.LIMITED);
    }

    @Test
    void bucketsOfDifferentRoutesAndKeysAreIndependent() {
        RateLimitPolicy policy = RateLimitPolicy.of(2, 1, 60);
        drain(T0, "route-a", "client-1", policy, 2);
        assertThat(at(T0, "route-a", "client-1", policy).outcome()).isEqualTo(Outcome.LIMITED);

        assertThat(at(T0, "route-b", "client-1", policy).remaining()).isEqualTo(1);
        assertThat(at(T0, "route-a", "client-2", policy).remaining()).isEqualTo(1);
        assertThat(at(T0, "route-a", "2001:db8::1", policy).remaining()).isEqualTo(1);
    }

    @Test
    void subSecondPeriodsWork() {
        RateLimitPolicy policy = new RateLimitPolicy(1, 1, Duration.ofMillis(100));
        drain(T0, "r", "k", policy, 1);
        RateLimitDecision limited = at(T0 + 50_000, "r", "k", policy);
        assertThat(limited.outcome()).isEqualTo(Outcome.LIMITED);
        assertThat(limited.retryAfterSeconds()).isEqualTo(1);
        assertThat(at(T0 + 100_000, "r", "k", policy).outcome()).isEqualTo(Outcome.ALLOWED);
    }

    // ---- several limits per route: one atomic step over all of them ----

    /** burst: 2 tokens, one back every 10 s; daily: 3 tokens, refilled over a day. */
    static final RateLimitPlan BURST_AND_DAILY = RateLimitPlan.parse("burst:2:1:10,daily:3:3:86400");

    RateLimitVerdict at(long micros, String route, String key, RateLimitPlan plan, long cost) {
        return store().acquire(route, key, plan, cost, OptionalLong.of(micros));
    }

    static long remaining(RateLimitVerdict verdict, String limit) {
        return decision(verdict, limit).remaining();
    }

    static RateLimitDecision decision(RateLimitVerdict verdict, String limit) {
        return verdict.limits().stream().filter(r -> r.limit().name().equals(limit)).findFirst().orElseThrow()
                .decision();
    }

    @Test
    void aRequestPassesOnlyWhenEveryLimitHasATokenAndEachPassSpendsFromAll() {
        RateLimitVerdict first = at(T0, "r", "k", BURST_AND_DAILY, 1);
        assertThat(first.allowed()).isTrue();
        assertThat(remaining(first, "burst")).isEqualTo(1);
        assertThat(remaining(first, "daily")).isEqualTo(2);
        assertThat(at(T0, "r", "k", BURST_AND_DAILY, 1).allowed()).isTrue();

        // burst is empty: refused by burst, and the daily quota keeps its last token
        RateLimitVerdict byBurst = at(T0, "r", "k", BURST_AND_DAILY, 1);
        assertThat(byBurst.allowed()).isFalse();
        assertThat(byBurst.rateLimited()).isTrue();
        assertThat(decision(byBurst, "burst").outcome()).isEqualTo(Outcome.LIMITED);
        assertThat(decision(byBurst, "daily").outcome()).isEqualTo(Outcome.ALLOWED);
        assertThat(remaining(byBurst, "daily")).as("nothing spent on refusal").isEqualTo(1);
        assertThat(byBurst.retryAfterSeconds()).isEqualTo(10);
        assertThat(byBurst.nearest().limit().name()).isEqualTo("burst");

        // 10 s later burst has a token again: the daily quota's last one goes with it
        RateLimitVerdict last = at(T0 + 10 * SECOND, "r", "k", BURST_AND_DAILY, 1);
        assertThat(last.allowed()).isTrue();
        assertThat(remaining(last, "daily")).isZero();
        assertThat(last.nearest().limit().name()).as("the one nearest to refusing").isEqualTo("daily");

        // another 10 s: burst could admit, the daily quota cannot, and burst's token is not spent
        RateLimitVerdict byDaily = at(T0 + 20 * SECOND, "r", "k", BURST_AND_DAILY, 1);
        assertThat(byDaily.allowed()).isFalse();
        assertThat(decision(byDaily, "daily").outcome()).isEqualTo(Outcome.LIMITED);
        assertThat(decision(byDaily, "burst").outcome()).isEqualTo(Outcome.ALLOWED);
        assertThat(remaining(byDaily, "burst")).isEqualTo(1);
        assertThat(at(T0 + 20 * SECOND, "r", "k", BURST_AND_DAILY, 1).limits().get(0).decision().remaining())
                .as("still not spent after a second refusal").isEqualTo(1);
    }

    @Test
    void retryAfterIsTheTimeUntilEveryLimitCanAdmit() {
        // both empty at once: burst is back in 10 s, the daily quota's first token in 8 h
        RateLimitPlan plan = RateLimitPlan.parse("burst:1:1:10,daily:1:3:86400");
        assertThat(at(T0, "r", "k", plan, 1).allowed()).isTrue();
        RateLimitVerdict refused = at(T0, "r", "k", plan, 1);
        assertThat(decision(refused, "burst").retryAfterSeconds()).isEqualTo(10);
        assertThat(decision(refused, "daily").retryAfterSeconds()).isEqualTo(28_800);
        assertThat(refused.retryAfterSeconds()).isEqualTo(28_800);
        assertThat(refused.nearest().limit().name()).isEqualTo("daily");
    }

    @Test
    void aShadowLimitCountsAndReportsButNeverRefuses() {
        RateLimitPlan plan = RateLimitPlan.parse("burst:3:1:10,trial:1:1:60:shadow");
        RateLimitVerdict first = at(T0, "r", "k", plan, 1);
        assertThat(first.allowed()).isTrue();
        assertThat(remaining(first, "trial")).isZero();

        RateLimitVerdict wouldRefuse = at(T0, "r", "k", plan, 1);
        assertThat(wouldRefuse.allowed()).isTrue();
        assertThat(wouldRefuse.rateLimited()).isFalse();
        assertThat(decision(wouldRefuse, "trial").outcome()).isEqualTo(Outcome.SHADOW_LIMITED);
        assertThat(decision(wouldRefuse, "trial").retryAfterSeconds()).isEqualTo(60);
        assertThat(remaining(wouldRefuse, "burst")).as("the enforced limit is spent").isEqualTo(1);
        assertThat(wouldRefuse.nearest().limit().name()).as("headers follow the enforced limit").isEqualTo("burst");

        at(T0, "r", "k", plan, 1);
        RateLimitVerdict byBurst = at(T0, "r", "k", plan, 1);
        assertThat(byBurst.allowed()).isFalse();
        assertThat(byBurst.retryAfterSeconds()).as("a shadow limit's wait does not count").isEqualTo(10);
    }

    @Test
    void aPlanOfShadowLimitsOnlyLetsEverythingThrough() {
        RateLimitPlan plan = RateLimitPlan.parse("burst:1:1:10,daily:1:1:86400").asShadow();
        for (int i = 0; i < 5; i++) {
            RateLimitVerdict v = at(T0, "r", "k", plan, 1);
            assertThat(v.allowed()).isTrue();
            assertThat(decision(v, "burst").outcome()).isEqualTo(i == 0 ? Outcome.ALLOWED : Outcome.SHADOW_LIMITED);
        }
    }

    @Test
    void aCostlyRequestTakesItsTokensFromEveryLimitOrNone() {
        RateLimitVerdict costly = at(T0, "r", "k", RateLimitPlan.parse("burst:20:10:1,daily:25:25:86400"), 10);
        assertThat(costly.allowed()).isTrue();
        assertThat(remaining(costly, "burst")).isEqualTo(10);
        assertThat(remaining(costly, "daily")).isEqualTo(15);
        RateLimitPlan plan = RateLimitPlan.parse("burst:20:10:1,daily:25:25:86400");
        assertThat(at(T0, "r", "k", plan, 10).allowed()).isTrue();
        // burst has 0, daily 5: a request of 10 is refused by both; burst is back in 1 s, daily in 4800 s
        RateLimitVerdict refused = at(T0, "r", "k", plan, 10);
        assertThat(refused.allowed()).isFalse();
        assertThat(remaining(refused, "daily")).isEqualTo(5);
        assertThat(refused.retryAfterSeconds()).isEqualTo(17_280);
        // one of cost 1 still fits the daily quota once burst has refilled
        assertThat(at(T0 + SECOND, "r", "k", plan, 1).allowed()).isTrue();
    }

    @Test
    void aOneLimitPlanNamedDefaultIsTheSingleBucket() {
        RateLimitPolicy policy = RateLimitPolicy.of(3, 1, 60);
        at(T0, "r", "k", policy);
        RateLimitVerdict v = at(T0, "r", "k", RateLimitPlan.single(policy), 1);
        assertThat(v.single()).isEqualTo(new RateLimitDecision(Outcome.ALLOWED, 3, 1, 120, 0));
    }

    @Test
    void aReloadedPlanKeepsTheBucketsOfTheLimitsItStillHas() {
        RateLimitPlan before = RateLimitPlan.parse("burst:5:1:10");
        drain(T0, "r", "k", before, 3);
        RateLimitVerdict after = at(T0, "r", "k", RateLimitPlan.parse("burst:5:1:10,daily:100:100:86400"), 1);
        assertThat(remaining(after, "burst")).isEqualTo(1);
        assertThat(remaining(after, "daily")).isEqualTo(99);
    }

    void drain(long micros, String route, String key, RateLimitPlan plan, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(at(micros, route, key, plan, 1).allowed()).as("request %d of %d", i + 1, n).isTrue();
        }
    }

    void drain(long micros, String route, String key, RateLimitPolicy policy, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(at(micros, route, key, policy).outcome()).as("request %d of %d", i + 1, n)
                    .isEqualTo(Outcome.ALLOWED);
        }
    }
}
