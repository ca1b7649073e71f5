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

    void drain(long micros, String route, String key, RateLimitPolicy policy, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(at(micros, route, key, policy).outcome()).as("request %d of %d", i + 1, n)
                    .isEqualTo(Outcome.ALLOWED);
        }
    }
}
