package dev.apigateway.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.testsupport.MutableClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17.9: polling {@code GET /actuator/circuitbreakers} does not read Redis on every call (counted by Redis
 * itself, {@code INFO commandstats}), while a transition made on another instance still shows within the pub/sub
 * latency. Two instances on one real Redis, neither running its periodic re-read, so every script call counted is
 * one the endpoint or the test made.
 */
class CircuitBreakersEndpointCacheTest {

    static final BreakerPolicy POLICY = new BreakerPolicy(4, Duration.ofSeconds(60), Duration.ofSeconds(30),
            Duration.ofSeconds(11));
    static final Duration PUBSUB = Duration.ofSeconds(5);
    static final String ROUTE = "polled";

    private static TestRedisServer redis;
    private static final MutableClock clock = new MutableClock(java.time.Instant.ofEpochMilli(1_700_000_000_000L));
    private static BreakerInstance a;
    private static BreakerInstance b;

    @BeforeAll
    static void startInstances() {
        redis = TestRedisServer.start();
        a = new BreakerInstance(redis, clock, POLICY, Duration.ofSeconds(2));
        b = new BreakerInstance(redis, clock, POLICY, Duration.ofSeconds(2));
        redis.awaitEventSubscribers(2, PUBSUB);
        a.registry.acquire(ROUTE);
        b.registry.acquire(ROUTE);
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
        b.close();
        redis.close();
    }

    @Test
    void manyReadsOfTheEndpointCostAtMostOneStoreReadASecond() {
        long before = scriptCalls();
        long started = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            assertThat(b.endpoint.breakers()).containsKey(ROUTE);
            assertThat(b.endpoint.breaker(ROUTE).state()).isEqualTo(BreakerState.CLOSED);
        }
        long elapsedSeconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertThat(scriptCalls() - before).as("400 reads over %d s", elapsedSeconds)
                .isLessThanOrEqualTo(elapsedSeconds + 1);
    }

    @Test
    void aTransitionMadeOnAnotherInstanceShowsWithinTheEventLatency() {
        a.endpoint.change(ROUTE, "open");
        Await.until("B's endpoint shows the breaker A opened", PUBSUB,
                () -> b.endpoint.breaker(ROUTE).state() == BreakerState.OPEN);
        BreakerView seen = b.endpoint.breakers().get(ROUTE);
        assertThat(seen.source()).isEqualTo("shared");
        assertThat(seen.openedUntil()).isNotNull();

        a.endpoint.change(ROUTE, "close");
        Await.until("B's endpoint shows the breaker A closed", PUBSUB,
                () -> b.endpoint.breaker(ROUTE).state() == BreakerState.CLOSED);
    }

    /** Breaker script calls Redis ran so far (every store read and write is one). */
    private static long scriptCalls() {
        Map<String, Long> calls = redis.commandCalls();
        return calls.getOrDefault("evalsha", 0L) + calls.getOrDefault("eval", 0L);
    }
}
