package dev.apigateway.circuitbreaker;

import static dev.apigateway.circuitbreaker.BreakerState.CLOSED;
import static dev.apigateway.circuitbreaker.BreakerState.HALF_OPEN;
import static dev.apigateway.circuitbreaker.BreakerState.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.circuitbreaker.BreakerUpdate.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The breaker's rules, run against every store (in memory and Redis scripts alike), on driven time:
 * every call passes {@code now}.
 */
abstract class BreakerStoreContract {

    static final long T0 = 1_700_000_000_000L;
    static final BreakerPolicy POLICY = new BreakerPolicy(3, Duration.ofSeconds(60), Duration.ofSeconds(30),
            Duration.ofSeconds(11));
    private static final AtomicInteger ROUTES = new AtomicInteger();

    String route;

    /** The store under test, as instance A sees it. */
    abstract BreakerStore store();

    /** The same shared state as another instance sees it (a separate connection for Redis). */
    abstract BreakerStore otherInstance();

    @BeforeEach
    void freshRoute() {
        route = "route-" + ROUTES.incrementAndGet();
    }

    @Test
    void opensAfterThresholdConsecutiveFailures() {
        assertThat(fail(0, T0).after().failures()).isEqualTo(1);
        assertThat(fail(0, T0 + 1).after().state()).isEqualTo(CLOSED);
        BreakerUpdate third = fail(0, T0 + 2);
        assertThat(third.from()).isEqualTo(CLOSED);
        assertThat(third.to()).isEqualTo(OPEN);
        assertThat(third.after().generation()).isEqualTo(1);
        assertThat(third.after().openedUntilMs()).isEqualTo(T0 + 2 + 30_000);
        assertThat(store().read(route, T0 + 3).state()).isEqualTo(OPEN);
    }

    @Test
    void successInBetweenResetsTheCount() {
        fail(0, T0);
        fail(0, T0 + 1);
        BreakerUpdate reset = store().recordSuccess(route, 0, "", T0 + 2);
        assertThat(reset.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(reset.after().failures()).isZero();
        fail(0, T0 + 3);
        assertThat(fail(0, T0 + 4).after().state()).isEqualTo(CLOSED);
        assertThat(store().read(route, T0 + 5).failures()).isEqualTo(2);
    }

    @Test
    void successWithNothingToResetWritesNothing() {
        assertThat(store().recordSuccess(route, 0, "", T0).outcome()).isEqualTo(Outcome.UNCHANGED);
    }

    @Test
    void failuresOlderThanTheWindowDoNotCount() {
        fail(0, T0);
        fail(0, T0 + 1_000);
        // 60 s without a failure: the count starts again
        BreakerUpdate late = fail(0, T0 + 1_000 + 60_001);
        assertThat(late.after().failures()).isEqualTo(1);
        assertThat(late.after().state()).isEqualTo(CLOSED);
        fail(0, T0 + 70_000);
        assertThat(fail(0, T0 + 80_000).after().state()).isEqualTo(OPEN);
    }

    @Test
    void staysOpenUntilTheResetTimeoutThenOneProbe() {
        long opened = trip();
        assertThat(store().tryAcquireProbe(route, "a", POLICY, opened + 29_999).outcome()).isEqualTo(Outcome.PROBE_LOST);
        BreakerUpdate won = store().tryAcquireProbe(route, "a", POLICY, opened + 30_000);
        assertThat(won.outcome()).isEqualTo(Outcome.PROBE_WON);
        assertThat(won.from()).isEqualTo(OPEN);
        assertThat(won.to()).isEqualTo(HALF_OPEN);
        assertThat(won.after().probeHolder()).isEqualTo("a");
        assertThat(won.after().probeExpiresMs()).isEqualTo(opened + 30_000 + 11_000);
        assertThat(otherInstance().tryAcquireProbe(route, "b", POLICY, opened + 30_001).outcome())
                .isEqualTo(Outcome.PROBE_LOST);
    }

    @Test
    void probeLeaseExpiryFreesTheProbe() {
        long opened = trip();
        long probeAt = opened + 30_000;
        BreakerUpdate first = store().tryAcquireProbe(route, "lost-instance", POLICY, probeAt);
        assertThat(otherInstance().tryAcquireProbe(route, "b", POLICY, probeAt + 10_999).outcome())
                .isEqualTo(Outcome.PROBE_LOST);
        BreakerUpdate retaken = otherInstance().tryAcquireProbe(route, "b", POLICY, probeAt + 11_000);
        assertThat(retaken.outcome()).isEqualTo(Outcome.PROBE_WON);
        assertThat(retaken.transitioned()).isFalse();
        assertThat(retaken.after().probeHolder()).isEqualTo("b");
        // the lost probe comes back late: its outcome no longer counts
        long generation = first.after().generation();
        assertThat(store().recordSuccess(route, generation, "lost-instance", probeAt + 12_000).outcome())
                .isEqualTo(Outcome.UNCHANGED);
        assertThat(store().read(route, probeAt + 12_001).state()).isEqualTo(HALF_OPEN);
        BreakerUpdate closed = otherInstance().recordSuccess(route, generation, "b", probeAt + 13_000);
        assertThat(closed.to()).isEqualTo(CLOSED);
    }

    @Test
    void probeSuccessCloses() {
        long opened = trip();
        BreakerUpdate probe = store().tryAcquireProbe(route, "a", POLICY, opened + 30_000);
        BreakerUpdate closed = store().recordSuccess(route, probe.after().generation(), "a", opened + 30_100);
        assertThat(closed.from()).isEqualTo(HALF_OPEN);
        assertThat(closed.to()).isEqualTo(CLOSED);
        assertThat(closed.after().failures()).isZero();
        assertThat(closed.after().probeHolder()).isEmpty();
        assertThat(closed.after().generation()).isEqualTo(probe.after().generation() + 1);
    }

    @Test
    void probeFailureReopensForAnotherResetTimeout() {
        long opened = trip();
        long probeAt = opened + 30_000;
        BreakerUpdate probe = store().tryAcquireProbe(route, "a", POLICY, probeAt);
        BreakerUpdate reopened = store().recordFailure(route, probe.after().generation(), "a", POLICY, probeAt + 500);
        assertThat(reopened.from()).isEqualTo(HALF_OPEN);
        assertThat(reopened.to()).isEqualTo(OPEN);
        assertThat(reopened.after().openedUntilMs()).isEqualTo(probeAt + 500 + 30_000);
        assertThat(store().tryAcquireProbe(route, "b", POLICY, probeAt + 30_499).outcome()).isEqualTo(Outcome.PROBE_LOST);
        assertThat(store().tryAcquireProbe(route, "b", POLICY, probeAt + 30_500).outcome()).isEqualTo(Outcome.PROBE_WON);
    }

    @Test
    void staleGenerationOutcomesChangeNothing() {
        long opened = trip(); // generation 1 now
        // a slow request let through while CLOSED (generation 0) answers after the opening
        assertThat(store().recordSuccess(route, 0, "", opened + 10).outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(store().recordFailure(route, 0, "", POLICY, opened + 11).outcome()).isEqualTo(Outcome.UNCHANGED);
        BreakerUpdate probe = store().tryAcquireProbe(route, "a", POLICY, opened + 30_000);
        store().recordSuccess(route, probe.after().generation(), "a", opened + 30_001);
        BreakerSnapshot closed = store().read(route, opened + 30_002);
        assertThat(closed.state()).isEqualTo(CLOSED);
        // failures from the old CLOSED period do not count toward the new one
        for (int i = 0; i < 5; i++) {
            assertThat(store().recordFailure(route, 0, "", POLICY, opened + 30_010 + i).outcome())
                    .isEqualTo(Outcome.UNCHANGED);
        }
        assertThat(store().read(route, opened + 30_100)).extracting(BreakerSnapshot::state, BreakerSnapshot::failures)
                .containsExactly(CLOSED, 0L);
    }

    @Test
    void operatorForcesOpenAndClosedFromAnyState() {
        BreakerUpdate open = store().force(route, OPEN, POLICY, T0);
        assertThat(open.from()).isEqualTo(CLOSED);
        assertThat(open.to()).isEqualTo(OPEN);
        assertThat(open.after().openedUntilMs()).isEqualTo(T0 + 30_000);
        BreakerUpdate again = store().force(route, OPEN, POLICY, T0 + 1_000);
        assertThat(again.from()).isEqualTo(OPEN);
        assertThat(again.after().openedUntilMs()).isEqualTo(T0 + 31_000);
        BreakerUpdate probe = store().tryAcquireProbe(route, "a", POLICY, T0 + 31_000);
        assertThat(probe.after().state()).isEqualTo(HALF_OPEN);
        BreakerUpdate closed = otherInstance().force(route, CLOSED, POLICY, T0 + 31_001);
        assertThat(closed.from()).isEqualTo(HALF_OPEN);
        assertThat(closed.after()).extracting(BreakerSnapshot::state, BreakerSnapshot::failures, BreakerSnapshot::probeHolder)
                .containsExactly(CLOSED, 0L, "");
        // the probe let through before the reset cannot change the new generation
        assertThat(store().recordFailure(route, probe.after().generation(), "a", POLICY, T0 + 31_002).outcome())
                .isEqualTo(Outcome.UNCHANGED);
    }

    @Test
    void exactlyOneOfManyConcurrentAcquirersWinsTheProbe() throws Exception {
        long opened = trip();
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<BreakerUpdate>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                BreakerStore instance = i % 2 == 0 ? store() : otherInstance();
                String holder = "holder-" + i;
                Callable<BreakerUpdate> attempt = () -> {
                    start.await();
                    return instance.tryAcquireProbe(route, holder, POLICY, opened + 30_000);
                };
                results.add(pool.submit(attempt));
            }
            start.countDown();
            List<BreakerUpdate> winners = new ArrayList<>();
            for (Future<BreakerUpdate> f : results) {
                BreakerUpdate u = f.get();
                if (u.outcome() == Outcome.PROBE_WON) {
                    winners.add(u);
                }
            }
            assertThat(winners).hasSize(1);
            assertThat(store().read(route, opened + 30_001).probeHolder()).isEqualTo(winners.get(0).after().probeHolder());
        } finally {
            pool.shutdownNow();
        }
    }

    BreakerUpdate fail(long generation, long now) {
        return store().recordFailure(route, generation, "", POLICY, now);
    }

    /** Three failures from generation 0; returns the time it opened. */
    long trip() {
        fail(0, T0);
        fail(0, T0 + 1);
        BreakerUpdate u = fail(0, T0 + 2);
        assertThat(u.to()).isEqualTo(OPEN);
        return T0 + 2;
    }
}
