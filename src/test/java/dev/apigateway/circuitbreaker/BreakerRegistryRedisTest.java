package dev.apigateway.circuitbreaker;

import dev.apigateway.testsupport.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two gateway instances (separate Lettuce connection factories) sharing breaker state on one real Redis. */
class BreakerRegistryRedisTest {

    static final BreakerPolicy POLICY = new BreakerPolicy(4, Duration.ofSeconds(60), Duration.ofSeconds(30),
            Duration.ofSeconds(11));
    static final Duration PUBSUB = Duration.ofSeconds(5);
    private static final AtomicInteger ROUTES = new AtomicInteger();

    private static TestRedisServer redis;
    private static final MutableClock clock = new MutableClock(java.time.Instant.ofEpochMilli(1_700_000_000_000L));
    private static BreakerInstance a;
    private static BreakerInstance b;
    private String route;

    @BeforeAll
    static void startInstances() throws Exception {
        redis = TestRedisServer.start();
        a = new BreakerInstance(redis, clock, POLICY, Duration.ofSeconds(2));
        b = new BreakerInstance(redis, clock, POLICY, Duration.ofSeconds(2));
        redis.awaitEventSubscribers(2, PUBSUB);
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
        b.close();
        redis.close();
    }

    @BeforeEach
    void freshRoute() {
        route = "route-" + ROUTES.incrementAndGet();
        // both instances have served the route once, so both hold it in their cache
        a.registry.acquire(route);
        b.registry.acquire(route);
    }

    @Test
    void failuresOnBothInstancesAddUp() {
        fail(a, 1);
        fail(b, 1);
        fail(a, 1);
        assertThat(a.registry.acquire(route).probe()).isFalse();
        fail(b, 1);
        assertThat(Await.rejects(b.registry, route)).isTrue();
        Await.until("A sees the breaker B opened", PUBSUB, () -> Await.rejects(a.registry, route));
    }

    @Test
    void secondInstanceSeesOpenBreaker() {
        assertThat(Await.rejects(b.registry, route)).isFalse();
        fail(a, 4);
        Await.until("B rejects after A tripped", PUBSUB, () -> Await.rejects(b.registry, route));
        assertThatThrownBy(() -> b.registry.acquire(route))
                .isInstanceOfSatisfying(CircuitOpenException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(30));
        assertThat(b.endpoint.breaker(route)).satisfies(v -> {
            assertThat(v.state()).isEqualTo(BreakerState.OPEN);
            assertThat(v.source()).isEqualTo("shared");
            assertThat(v.failures()).isEqualTo(4);
        });
    }

    @Test
    void aTransitionIsLoggedAndCountedOnlyByTheInstanceThatMadeIt() {
        fail(a, 4);
        Await.until("B's state gauge shows open", PUBSUB, () -> gauge(b, "open") == 1.0);
        assertThat(a.transitions(route, "closed", "open")).isEqualTo(1.0);
        assertThat(b.transitions(route, "closed", "open")).isZero();
        assertThat(gauge(b, "closed")).isZero();
    }

    @Test
    void aHealthyClosedRouteMakesNoRedisCall() throws Exception {
        String warmUp = route + "-warm-up"; // loads the failure and success scripts (EVALSHA, then EVAL on NOSCRIPT)
        a.registry.onFailure(a.registry.acquire(warmUp));
        a.registry.onSuccess(a.registry.acquire(warmUp));
        Map<String, Long> before = redis.commandCalls();
        for (int i = 0; i < 1_000; i++) {
            a.registry.onSuccess(a.registry.acquire(route));
            b.registry.onSuccess(b.registry.acquire(route));
        }
        assertThat(callsSince(before)).isZero();

        // a failure writes once, the success that resets the count writes once, then silence again
        // (commandstats also counts the HMGET/HSET a script runs, so count the script calls themselves)
        fail(a, 1);
        a.registry.onSuccess(a.registry.acquire(route));
        assertThat(scriptCallsSince(before)).isEqualTo(2);
        Map<String, Long> afterReset = redis.commandCalls();
        for (int i = 0; i < 100; i++) {
            a.registry.onSuccess(a.registry.acquire(route));
        }
        assertThat(callsSince(afterReset)).isZero();
    }

    @Test
    void anOpenBreakerRejectsWithoutARedisCall() throws Exception {
        fail(a, 4);
        Await.until("B rejects", PUBSUB, () -> Await.rejects(b.registry, route));
        Map<String, Long> before = redis.commandCalls();
        for (int i = 0; i < 100; i++) {
            assertThat(Await.rejects(a.registry, route)).isTrue();
            assertThat(Await.rejects(b.registry, route)).isTrue();
        }
        assertThat(callsSince(before)).isZero();
    }

    @Test
    void afterTheResetTimeoutExactlyOneRequestInTheClusterIsTheProbe() throws Exception {
        fail(a, 4);
        Await.until("B rejects", PUBSUB, () -> Await.rejects(b.registry, route));
        clock.advance(Duration.ofSeconds(30));

        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Permit> permits = new ArrayList<>();
        int rejected = 0;
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Permit>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                BreakerRegistry instance = (i % 2 == 0 ? a : b).registry;
                Callable<Permit> attempt = () -> {
                    start.await();
                    try {
                        return instance.acquire(route);
                    } catch (CircuitOpenException e) {
                        return null;
                    }
                };
                results.add(pool.submit(attempt));
            }
            start.countDown();
            for (Future<Permit> f : results) {
                Permit p = f.get();
                if (p == null) {
                    rejected++;
                } else {
                    permits.add(p);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(permits).singleElement().satisfies(p -> assertThat(p.probe()).isTrue());
        assertThat(rejected).isEqualTo(threads - 1);

        Permit probe = permits.get(0);
        BreakerInstance owner = probe.probeToken().startsWith(a.registry.instanceId()) ? a : b;
        BreakerInstance other = owner == a ? b : a;
        assertThat(Await.rejects(other.registry, route)).isTrue();
        owner.registry.onSuccess(probe);
        Await.until("the other instance sees the breaker closed", PUBSUB, () -> !Await.rejects(other.registry, route));
        assertThat(owner.transitions(route, "half_open", "closed")).isEqualTo(1.0);
    }

    @Test
    void aProbeLostWithItsInstanceIsReplacedAfterTheLease() {
        fail(a, 4);
        Await.until("B rejects", PUBSUB, () -> Await.rejects(b.registry, route));
        clock.advance(Duration.ofSeconds(30));
        Permit lost = a.registry.acquire(route); // instance A dies with its probe
        assertThat(lost.probe()).isTrue();
        Await.until("B knows the probe is out", PUBSUB, () -> Await.rejects(b.registry, route));
        clock.advance(Duration.ofSeconds(11));
        Permit replacement = b.registry.acquire(route);
        assertThat(replacement.probe()).isTrue();
        b.registry.onFailure(replacement);
        assertThat(Await.rejects(b.registry, route)).isTrue();
        assertThat(b.transitions(route, "half_open", "open")).isEqualTo(1.0);
    }

    @Test
    void aStaleOutcomeFromBeforeTheOpeningDoesNotCloseIt() {
        Permit slow = b.registry.acquire(route);
        fail(a, 4);
        Await.until("B rejects", PUBSUB, () -> Await.rejects(b.registry, route));
        b.registry.onSuccess(slow);
        b.registry.onFailure(slow);
        assertThat(Await.rejects(a.registry, route)).isTrue();
        assertThat(a.store.read(route, clock.millis())).satisfies(s -> {
            assertThat(s.state()).isEqualTo(BreakerState.OPEN);
            assertThat(s.generation()).isEqualTo(1);
            assertThat(s.failures()).isEqualTo(4);
        });
    }

    @Test
    void operatorForcesOpenAndCloseSeenByBothInstances() {
        BreakerView opened = a.endpoint.change(route, "open");
        assertThat(opened.state()).isEqualTo(BreakerState.OPEN);
        assertThat(Await.rejects(a.registry, route)).isTrue();
        Await.until("B rejects after the operator opened it on A", PUBSUB, () -> Await.rejects(b.registry, route));
        assertThat(b.endpoint.breakers().get(route).state()).isEqualTo(BreakerState.OPEN);

        assertThat(b.endpoint.change(route, "close").state()).isEqualTo(BreakerState.CLOSED);
        assertThat(Await.rejects(b.registry, route)).isFalse();
        Await.until("A admits after the operator closed it on B", PUBSUB, () -> !Await.rejects(a.registry, route));
        assertThat(a.transitions(route, "closed", "open")).isEqualTo(1.0);
        assertThat(b.transitions(route, "open", "closed")).isEqualTo(1.0);
    }

    @Test
    void theStateGaugeReportsAnInstanceThatLearnedByPeriodicReadAlone() {
        // B misses the message (as if it was disconnected): the periodic re-read catches it up
        a.store.force(route, BreakerState.OPEN, POLICY, clock.millis()); // written without publishing
        assertThat(Await.rejects(b.registry, route)).isFalse();
        b.registry.refresh();
        assertThat(Await.rejects(b.registry, route)).isTrue();
        assertThat(gauge(b, "open")).isEqualTo(1.0);
    }

    private void fail(BreakerInstance instance, int n) {
        for (int i = 0; i < n; i++) {
            instance.registry.onFailure(instance.registry.acquire(route));
        }
    }

    private double gauge(BreakerInstance instance, String state) {
        return instance.meters.get(BreakerRegistry.STATE_METER).tag("route", route).tag("state", state).gauge().value();
    }

    /** EVALSHA and EVAL calls: one per breaker round trip (scripts already loaded by the warm-up). */
    private static long scriptCallsSince(Map<String, Long> before) throws Exception {
        Map<String, Long> after = redis.commandCalls();
        return after.getOrDefault("evalsha", 0L) - before.getOrDefault("evalsha", 0L)
                + after.getOrDefault("eval", 0L) - before.getOrDefault("eval", 0L);
    }

    private static long callsSince(Map<String, Long> before) throws Exception {
        Map<String, Long> after = redis.commandCalls();
        long calls = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            if (!e.getKey().equals("info")) {
                calls += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
        }
        return calls;
    }
}
