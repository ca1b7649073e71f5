package dev.apigateway.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.apigateway.circuitbreaker.redis.RedisBreakerEventSubscriber;
import dev.apigateway.circuitbreaker.redis.RedisBreakerEventsSubscription;
import dev.apigateway.testsupport.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Issue 12.7: the events subscription holds whatever the store timeout, and misses no transition. */
class RedisBreakerEventsSubscriptionTest {

    static final BreakerPolicy POLICY = new BreakerPolicy(3, Duration.ofSeconds(60), Duration.ofSeconds(30),
            Duration.ofSeconds(11));

    private final MutableClock clock = new MutableClock(java.time.Instant.ofEpochMilli(1_700_000_000_000L));
    private TestRedisServer redis;

    @BeforeEach
    void start() {
        redis = TestRedisServer.start();
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    @Test
    void subscribesOnItsOwnGenerousTimeoutWhenTheStoreTimeoutIsTooShortForASubscribe() throws Exception {
        // a store timeout no SUBSCRIBE can meet: the subscription's own connection waits up to 5 s
        LettuceConnectionFactory tiny = redis.connectionFactory(Duration.ofNanos(1));
        try (BreakerInstance b = new BreakerInstance(redis, clock, POLICY, Duration.ofSeconds(2))) {
            RedisBreakerEventsSubscription subscription = new RedisBreakerEventsSubscription(tiny,
                    new RedisBreakerEventSubscriber(b.store, b.registry), Duration.ofMillis(200));
            try {
                subscription.start();
                await().atMost(Duration.ofSeconds(20)).until(subscription::listening);
            } finally {
                subscription.destroy();
            }
        } finally {
            tiny.destroy();
        }
    }

    @Test
    void afterEverySubscriptionEveryBreakerIsReReadSoATransitionMissedMeanwhileIsSeen() throws Exception {
        try (BreakerInstance a = new BreakerInstance(redis, clock, POLICY, Duration.ofSeconds(2));
             BreakerInstance b = new BreakerInstance(redis, clock, POLICY, Duration.ofSeconds(2))) {
            await().atMost(Duration.ofSeconds(20)).until(a.subscription::listening);
            assertThat(a.registry.acquire("r").source()).isEqualTo(Permit.Source.STORE);

            a.subscription.stop(); // A is deaf while B opens the breaker
            assertThat(a.subscription.listening()).isFalse();
            b.registry.force("r", BreakerState.OPEN);
            assertThat(Await.rejects(a.registry, "r")).as("A has not heard of it").isFalse();

            a.subscription.start(); // no periodic re-read runs here: only the re-subscription can tell A
            await().atMost(Duration.ofSeconds(20)).until(() -> Await.rejects(a.registry, "r"));
            assertThat(a.subscription.listening()).isTrue();
        }
    }
}
