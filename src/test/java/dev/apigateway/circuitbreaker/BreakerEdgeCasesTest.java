package dev.apigateway.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.apigateway.testsupport.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17.10 (a)-(c), on a shared store stand-in whose calls can be made to fail (one call, or an outage) and whose
 * generations can go back (a failover that lost state), on a driven clock.
 */
class BreakerEdgeCasesTest {

    static final BreakerPolicy POLICY = new BreakerPolicy(3, Duration.ofSeconds(60), Duration.ofSeconds(30),
            Duration.ofSeconds(11));

    private final MutableClock clock = new MutableClock(java.time.Instant.ofEpochMilli(1_700_000_000_000L));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final FlakyStore store = new FlakyStore(new InMemoryBreakerStore(clock));
    private final BreakerRegistry registry = new BreakerRegistry(store, POLICY, meters, clock, false,
            BreakerRegistry.DEFAULT_REFRESH_INTERVAL);

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void oneFailedStoreCallKeepsEveryOtherRouteOnTheSharedState() {
        registry.force("open-one", BreakerState.OPEN);
        assertThat(registry.acquire("closed-one").source()).isEqualTo(Permit.Source.STORE);

        store.failNext.set(1); // the first read of a new route fails: that request alone is decided locally
        assertThat(registry.acquire("new-one").source()).isEqualTo(Permit.Source.LOCAL);

        assertThat(registry.acquire("closed-one").source()).isEqualTo(Permit.Source.STORE);
        assertThatThrownBy(() -> registry.acquire("open-one")).isInstanceOf(CircuitOpenException.class);
        assertThat(registry.breakers()).allSatisfy(v -> assertThat(v.source()).isEqualTo("shared"));
    }

    @Test
    void whenTheStoreGoesAwayAKnownOpenStaysOpenUntilItsDeadlineThenOneLocalProbe() {
        registry.force("r", BreakerState.OPEN);
        clock.advance(Duration.ofSeconds(10));
        store.down.set(true);

        assertThatThrownBy(() -> registry.acquire("r")).isInstanceOfSatisfying(CircuitOpenException.class,
                e -> assertThat(e.retryAfterSeconds()).isEqualTo(20));
        assertThat(registry.breakers()).singleElement().satisfies(v -> {
            assertThat(v.source()).isEqualTo("local");
            assertThat(v.state()).isEqualTo(BreakerState.OPEN);
        });
        clock.advance(Duration.ofSeconds(20));
        Permit probe = registry.acquire("r");
        assertThat(probe.probe()).isTrue();
        assertThat(probe.source()).isEqualTo(Permit.Source.LOCAL);
        assertThat(Await.rejects(registry, "r")).as("one probe, not a flood").isTrue();
    }

    @Test
    void whenTheStoreGoesAwayAProbeOutElsewhereKeepsTheRouteHalfOpen() {
        registry.force("r", BreakerState.OPEN);
        clock.advance(Duration.ofSeconds(30));
        Permit probe = registry.acquire("r"); // this instance's probe, or another's: the lease is in the store
        assertThat(probe.probe()).isTrue();
        store.down.set(true);

        assertThatThrownBy(() -> registry.acquire("r")).isInstanceOfSatisfying(CircuitOpenException.class,
                e -> assertThat(e.retryAfterSeconds()).isEqualTo(11));
        assertThat(upstreamCallsLetThrough("r", 20)).isZero();
    }

    @Test
    void theFallbackKeepsFailuresAlreadyCountedAndForgetsThoseOlderThanTheWindow() {
        Permit p = registry.acquire("r");
        registry.onFailure(p);
        registry.onFailure(registry.acquire("r"));
        store.down.set(true);
        registry.onFailure(registry.acquire("r")); // the third: OPEN, although the first two were counted in the store
        assertThatThrownBy(() -> registry.acquire("r")).isInstanceOf(CircuitOpenException.class);
        assertThat(meters.counter(BreakerRegistry.TRANSITIONS_METER, "route", "r", "from", "closed", "to", "open")
                .count()).isEqualTo(1);

        registry.force("w", BreakerState.CLOSED);
        registry.onFailure(registry.acquire("w"));
        registry.onFailure(registry.acquire("w"));
        clock.advance(Duration.ofSeconds(61)); // past the window: the count starts again
        registry.onFailure(registry.acquire("w"));
        assertThat(registry.acquire("w").source()).isEqualTo(Permit.Source.LOCAL);
    }

    @Test
    void theCacheFollowsGenerationsNotTheStoreClock() {
        RouteBreaker rb = new RouteBreaker("r", POLICY);
        rb.offer(new BreakerSnapshot("r", BreakerState.CLOSED, 0, 0, 0, 5, "", 0, 10_000));
        // a failover to a Redis whose clock is 5 s behind: its newer generation still wins
        rb.offer(new BreakerSnapshot("r", BreakerState.OPEN, 3, 5_000, 35_000, 6, "", 0, 5_000));
        assertThat(rb.cached().state()).isEqualTo(BreakerState.OPEN);
        rb.offer(new BreakerSnapshot("r", BreakerState.OPEN, 4, 5_001, 35_000, 6, "", 0, 5_001));
        assertThat(rb.cached().failures()).isEqualTo(4);
        // a late reply from before the opening does not undo it
        rb.offer(new BreakerSnapshot("r", BreakerState.CLOSED, 2, 0, 0, 5, "", 0, 99_000));
        assertThat(rb.cached().generation()).isEqualTo(6);
    }

    @Test
    void aStoreThatLostItsStateInAFailoverIsBelievedOnceASecondReadConfirmsIt() {
        registry.force("r", BreakerState.OPEN);
        registry.force("r", BreakerState.CLOSED);
        registry.force("r", BreakerState.OPEN);
        store.inner = new InMemoryBreakerStore(clock); // the promoted replica never saw those writes
        registry.refresh();
        assertThat(registry.acquire("r").source()).isEqualTo(Permit.Source.STORE);
    }

    @Test
    void aProbeThatDoesNotReportWithinItsLeaseHasFailedAndItsLateSuccessChangesNothing() {
        BreakerPolicy shortLease = new BreakerPolicy(1, Duration.ofSeconds(60), Duration.ofSeconds(30),
                Duration.ofMillis(200));
        registry.acquire("p", shortLease); // the route with its policy
        registry.force("p", BreakerState.OPEN);
        clock.advance(Duration.ofSeconds(30));
        Permit probe = registry.acquire("p", shortLease);
        assertThat(probe.probe()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.counter(BreakerRegistry.TRANSITIONS_METER,
                "route", "p", "from", "half_open", "to", "open").count() == 1);
        registry.onSuccess(probe);
        assertThat(registry.breakers()).singleElement().satisfies(v -> assertThat(v.state()).isEqualTo(BreakerState.OPEN));
    }

    private int upstreamCallsLetThrough(String route, int attempts) {
        int through = 0;
        for (int i = 0; i < attempts; i++) {
            through += Await.rejects(registry, route) ? 0 : 1;
        }
        return through;
    }

    /** The in-memory rules as a shared store whose calls can fail. */
    static final class FlakyStore implements BreakerStore {
        volatile InMemoryBreakerStore inner;
        final AtomicInteger failNext = new AtomicInteger();
        final AtomicBoolean down = new AtomicBoolean();

        FlakyStore(InMemoryBreakerStore inner) {
            this.inner = inner;
        }

        private void maybeFail() {
            if (down.get() || failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new CircuitBreakerStoreException("test", new IllegalStateException("connection refused"));
            }
        }

        @Override public boolean shared() { return true; }
        @Override public boolean available() { return !down.get(); }
        @Override public BreakerSnapshot read(String route, Long now) { maybeFail(); return inner.read(route, now); }
        @Override public BreakerUpdate recordFailure(String route, long generation, String probeToken, BreakerPolicy policy, Long now) {
            maybeFail();
            return inner.recordFailure(route, generation, probeToken, policy, now);
        }
        @Override public BreakerUpdate recordSuccess(String route, long generation, String probeToken, Long now) {
            maybeFail();
            return inner.recordSuccess(route, generation, probeToken, now);
        }
        @Override public BreakerUpdate tryAcquireProbe(String route, String holder, BreakerPolicy policy, Long now) {
            maybeFail();
            return inner.tryAcquireProbe(route, holder, policy, now);
        }
        @Override public BreakerUpdate force(String route, BreakerState target, BreakerPolicy policy, Long now) {
            maybeFail();
            return inner.force(route, target, policy, now);
        }
        @Override public void publish(BreakerEvent event) { }
    }
}
