package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.config.GatewayProperties.FailMode;
import dev.apigateway.ratelimit.RateLimitDecision.Outcome;
import dev.apigateway.store.InstanceRegistry;
import dev.apigateway.store.StoreGuard;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServerExtension;
import dev.apigateway.testsupport.RedisTestClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The fail modes with a real Redis killed under the limiter. */
@ExtendWith(RedisServerExtension.class)
class ResilientRateLimiterTest {

    private static final String ROUTE = "proxy-default";
    private static final RateLimitPolicy POLICY = RateLimitPolicy.of(10, 10, 60);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicInteger storeCalls = new AtomicInteger();
    private RedisNode redis;
    private LettuceConnectionFactory factory;
    private StringRedisTemplate template;
    private StoreGuard guard;
    private TokenBucketStore countingRedisStore;

    @BeforeEach
    void setUp(RedisNode redis) {
        this.redis = redis;
        factory = RedisTestClients.factory(redis);
        template = new StringRedisTemplate(factory);
        // connect outside the guard: a cold JVM's first connection takes longer than the test's timeout
        template.execute((RedisCallback<String>) RedisConnection::ping);
        guard = StoreGuard.builder("redis")
                .timeout(Duration.ofSeconds(1))
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .probe(() -> template.execute((RedisCallback<String>) RedisConnection::ping))
                .meterRegistry(meters)
                .build();
        RedisTokenBucketStore redisStore = new RedisTokenBucketStore(factory, Duration.ofSeconds(1));
        countingRedisStore = (route, key, plan, cost, now) -> {
            storeCalls.incrementAndGet();
            return redisStore.acquire(route, key, plan, cost, now);
        };
    }

    @AfterEach
    void tearDown() {
        guard.close();
        factory.destroy();
    }

    @Test
    void localLimitsWithItsShareOfTheLimitWhileRedisIsDownAndReturnsToRedis() throws Exception {
        InstanceRegistry self = new InstanceRegistry(template, guard, "gw-a");
        InstanceRegistry other = new InstanceRegistry(template, guard, "gw-b");
        other.heartbeat();
        assertThat(self.heartbeat()).isEqualTo(2);
        RateLimiter limiter = limiter(FailMode.LOCAL, self);

        assertThat(limiter.tryAcquire(ROUTE, "10.0.0.1", POLICY).outcome()).isEqualTo(Outcome.ALLOWED);

        redis.kill();
        List<RateLimitDecision> decisions = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            decisions.add(limiter.tryAcquire(ROUTE, "10.0.0.1", POLICY));
        }
        // the share of 2 instances: capacity 10 / 2 = 5, refill 10 per 120 s (one token per 12 s)
        assertThat(decisions).extracting(RateLimitDecision::outcome).containsExactly(
                Outcome.FALLBACK_ALLOWED, Outcome.FALLBACK_ALLOWED, Outcome.FALLBACK_ALLOWED,
                Outcome.FALLBACK_ALLOWED, Outcome.FALLBACK_ALLOWED,
                Outcome.FALLBACK_LIMITED, Outcome.FALLBACK_LIMITED, Outcome.FALLBACK_LIMITED);
        assertThat(decisions.get(0).limit()).isEqualTo(5);
        assertThat(decisions.get(0).remaining()).isEqualTo(4);
        assertThat(decisions.get(7).retryAfterSeconds()).isEqualTo(12);
        assertThat(decisions.get(7).rateLimited()).isTrue();
        assertThat(storeCalls).as("1 before the outage, then the 3 errors that open the guard").hasValue(4);

        assertThat(decisionCount(Outcome.FALLBACK_ALLOWED)).isEqualTo(5);
        assertThat(decisionCount(Outcome.FALLBACK_LIMITED)).isEqualTo(3);
        assertThat(meters.counter(RateLimitMetrics.REJECTED, "route", ROUTE).count()).isEqualTo(3);
        assertThat(meters.counter(StoreGuard.ERRORS, "operation", ResilientRateLimiter.OPERATION).count()).isEqualTo(3);

        redis.restart();
        RateLimitDecision back = awaitOutcome(limiter, "10.0.0.1", Outcome.ALLOWED);
        assertThat(back.remaining()).as("a fresh Redis, a full bucket").isEqualTo(9);
    }

    @Test
    void openLetsEveryRequestThroughUncounted() {
        RateLimiter limiter = limiter(FailMode.OPEN, () -> 1);
        redis.kill();
        for (int i = 0; i < 30; i++) {
            RateLimitDecision d = limiter.tryAcquire(ROUTE, "10.0.0.2", POLICY);
            assertThat(d.outcome()).isEqualTo(Outcome.FALLBACK_ALLOWED);
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(10);
        }
        assertThat(storeCalls).hasValue(3);
        assertThat(decisionCount(Outcome.FALLBACK_ALLOWED)).isEqualTo(30);
        assertThat(meters.counter(RateLimitMetrics.REJECTED, "route", ROUTE).count()).isZero();
    }

    @Test
    void closedRefusesWithStoreUnavailableAndReturnsToRedis() throws Exception {
        RateLimiter limiter = limiter(FailMode.CLOSED, () -> 1);
        redis.kill();
        for (int i = 0; i < 10; i++) {
            RateLimitDecision d = limiter.tryAcquire(ROUTE, "10.0.0.3", POLICY);
            assertThat(d.outcome()).isEqualTo(Outcome.STORE_UNAVAILABLE);
            assertThat(d.allowed()).isFalse();
            assertThat(d.rateLimited()).isFalse();
            assertThat(d.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
        }
        assertThat(storeCalls).hasValue(3);
        assertThat(decisionCount(Outcome.STORE_UNAVAILABLE)).isEqualTo(10);
        assertThat(meters.counter(RateLimitMetrics.REJECTED, "route", ROUTE).count())
                .as("a 503 is not a rate-limit rejection").isZero();

        redis.restart();
        awaitOutcome(limiter, "10.0.0.3", Outcome.ALLOWED);
    }

    @Test
    void localChecksEveryLimitOfThePlanWithItsShareAndARefusalSpendsNothing() {
        RateLimiter limiter = limiter(FailMode.LOCAL, () -> 2);
        RateLimitPlan plan = RateLimitPlan.parse("burst:4:1:3600,daily:6:6:86400");
        redis.kill();
        // two instances: burst 2, daily 3 in this one
        for (int i = 0; i < 2; i++) {
            RateLimitVerdict v = limiter.tryAcquire(ROUTE, "10.0.0.4", plan, 1);
            assertThat(v.allowed()).isTrue();
            assertThat(v.limits()).extracting(r -> r.decision().outcome())
                    .containsExactly(Outcome.FALLBACK_ALLOWED, Outcome.FALLBACK_ALLOWED);
        }
        RateLimitVerdict refused = limiter.tryAcquire(ROUTE, "10.0.0.4", plan, 1);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.rateLimited()).isTrue();
        assertThat(refused.limits()).extracting(r -> r.decision().outcome())
                .containsExactly(Outcome.FALLBACK_LIMITED, Outcome.FALLBACK_ALLOWED);
        assertThat(refused.limits().get(1).decision().remaining()).as("the quota's share kept its token").isEqualTo(1);
        assertThat(refused.limits().get(1).limit().policy().capacity()).as("named as configured").isEqualTo(6);
        assertThat(meters.counter(RateLimitMetrics.DECISIONS, "route", ROUTE, "limit", "burst", "outcome",
                "fallback_limited").count()).isEqualTo(1);
        assertThat(meters.counter(RateLimitMetrics.REJECTED, "route", ROUTE).count()).isEqualTo(1);
    }

    @Test
    void closedStillLetsAPlanOfShadowLimitsThrough() {
        RateLimiter limiter = limiter(FailMode.CLOSED, () -> 1);
        redis.kill();
        RateLimitVerdict v = limiter.tryAcquire(ROUTE, "10.0.0.5", RateLimitPlan.parse("trial:1:1:60:shadow"), 1);
        assertThat(v.allowed()).isTrue();
        assertThat(v.storeUnavailable()).isFalse();
        RateLimitVerdict enforced = limiter.tryAcquire(ROUTE, "10.0.0.5",
                RateLimitPlan.parse("burst:5:1:60,trial:1:1:60:shadow"), 1);
        assertThat(enforced.storeUnavailable()).isTrue();
    }

    @Test
    void instanceRegistryCountsLiveInstancesAndForgetsExpiredOnes() {
        InstanceRegistry a = new InstanceRegistry(template, guard, "gw-a", Duration.ofMillis(1500), Duration.ofMillis(500));
        InstanceRegistry b = new InstanceRegistry(template, guard, "gw-b", Duration.ofMillis(1500), Duration.ofMillis(500));
        assertThat(a.liveInstances()).as("before the first heartbeat").isEqualTo(1);
        assertThat(a.heartbeat()).isEqualTo(1);
        assertThat(b.heartbeat()).isEqualTo(2);
        assertThat(a.heartbeat()).isEqualTo(2);
        assertThat((Long) redis.command("PTTL", InstanceRegistry.KEY)).isPositive();
        // b's entry expires when b stops beating (its score is an expiry time on the Redis clock)
        redis.command("ZADD", InstanceRegistry.KEY, "1", "gw-gone");
        assertThat(a.heartbeat()).isEqualTo(2);
    }

    private RateLimiter limiter(FailMode mode, java.util.function.IntSupplier instances) {
        return new ResilientRateLimiter(countingRedisStore, guard, new InMemoryTokenBucketStore(), instances, mode,
                new RateLimitMetrics(meters));
    }

    private double decisionCount(Outcome outcome) {
        return meters.counter(RateLimitMetrics.DECISIONS, "route", ROUTE, "limit", "default", "outcome", outcome.tag()).count();
    }

    private static RateLimitDecision awaitOutcome(RateLimiter limiter, String key, Outcome wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        RateLimitDecision d = limiter.tryAcquire(ROUTE, key, POLICY);
        while (d.outcome() != wanted && System.nanoTime() < deadline) {
            Thread.sleep(50);
            d = limiter.tryAcquire(ROUTE, key, POLICY);
        }
        assertThat(d.outcome()).isEqualTo(wanted);
        return d;
    }

    @SuppressWarnings("unused")
    private static OptionalLong none() {
        return OptionalLong.empty();
    }
}
