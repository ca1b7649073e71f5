package dev.apigateway.circuitbreaker;

import dev.apigateway.testsupport.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Redis killed under a running instance: the local Resilience4j breaker protects; Redis back: shared state again. */
class BreakerRegistryRedisOutageTest {

    static final BreakerPolicy POLICY = new BreakerPolicy(3, Duration.ofSeconds(60), Duration.ofSeconds(30),
            Duration.ofSeconds(11));
    static final String ROUTE = "proxy-default";

    private final MutableClock clock = new MutableClock(java.time.Instant.ofEpochMilli(1_700_000_000_000L));
    private TestRedisServer redis;
    private BreakerInstance a;

    @BeforeEach
    void start() throws Exception {
        redis = TestRedisServer.start();
        a = new BreakerInstance(redis, clock, POLICY, Duration.ofSeconds(1));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (a != null) {
                a.close();
            }
        } finally {
            redis.close();
        }
    }

    @Test
    void localBreakerOpensWhileRedisIsDownAndSharedStateTakesOverWhenItIsBack() throws Exception {
        assertThat(a.registry.acquire(ROUTE).source()).isEqualTo(Permit.Source.STORE);
        redis.stop();

        fail(3); // the first one finds Redis gone; all three land in the local breaker
        assertThat(a.transitions(ROUTE, "closed", "open")).isEqualTo(1.0);
        assertThatThrownBy(() -> a.registry.acquire(ROUTE))
                .isInstanceOfSatisfying(CircuitOpenException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(30));
        assertThat(a.endpoint.breaker(ROUTE)).satisfies(v -> {
            assertThat(v.source()).isEqualTo("local");
            assertThat(v.state()).isEqualTo(BreakerState.OPEN);
        });
        assertThat(a.meters.get(BreakerRegistry.STATE_METER).tag("route", ROUTE).tag("state", "open").gauge().value())
                .isEqualTo(1.0);

        // no request waits on the dead store (one wait would be the 1 s command timeout): the fallback decides alone
        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            assertThat(Await.rejects(a.registry, ROUTE)).isTrue();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

        // the fallback runs the shared rules on the same (driven) clock: one local probe after the reset timeout
        clock.advance(Duration.ofMillis(29_999));
        assertThat(Await.rejects(a.registry, ROUTE)).isTrue();
        clock.advance(Duration.ofMillis(1));
        Permit probe = a.registry.acquire(ROUTE);
        assertThat(probe.source()).isEqualTo(Permit.Source.LOCAL);
        assertThat(probe.probe()).isTrue();
        assertThat(Await.rejects(a.registry, ROUTE)).isTrue();
        a.registry.onFailure(probe);
        assertThat(a.transitions(ROUTE, "half_open", "open")).isEqualTo(1.0);
        assertThat(Await.rejects(a.registry, ROUTE)).isTrue();

        // Redis back (empty): the periodic re-read notices, the shared CLOSED state wins over the local OPEN
        redis.startProcess();
        Await.until("shared state in use again", Duration.ofSeconds(30), () -> {
            a.registry.refresh();
            return a.endpoint.breaker(ROUTE).source().equals("shared");
        });
        Permit shared = a.registry.acquire(ROUTE);
        assertThat(shared.source()).isEqualTo(Permit.Source.STORE);
        a.registry.onSuccess(shared);

        // and the shared state is the cluster's again: another instance opens it, A follows
        try (BreakerInstance b = new BreakerInstance(redis, clock, POLICY, Duration.ofSeconds(2))) {
            Await.until("B subscribed", Duration.ofSeconds(10), b.subscription::listening);
            b.registry.acquire(ROUTE);
            b.endpoint.change(ROUTE, "open");
            Await.until("A rejects from the shared state", Duration.ofSeconds(10), () -> {
                a.registry.refresh();
                return Await.rejects(a.registry, ROUTE);
            });
            assertThat(a.endpoint.breaker(ROUTE).source()).isEqualTo("shared");
        }
    }

    private void fail(int n) {
        for (int i = 0; i < n; i++) {
            a.registry.onFailure(a.registry.acquire(ROUTE));
        }
    }
}
