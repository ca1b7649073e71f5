package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServerExtension;
import dev.apigateway.testsupport.RedisTestClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Two "instances" (each its own Lettuce connection factory, as two gateways would have) hammer one
 * key from several threads on the Redis server's clock. Over the span T they admit no more than
 * capacity + refill(T), and not fewer than that less one token.
 */
@ExtendWith(RedisServerExtension.class)
class CrossInstanceExactnessTest {

    private static final RateLimitPolicy POLICY = RateLimitPolicy.of(20, 5, 1); // 5 tokens a second
    private static final long HAMMER_MILLIS = 2_000;
    private static final int THREADS_PER_INSTANCE = 2;
    private static final String ROUTE = "proxy-default";
    private static final String CLIENT = "198.51.100.9";

    @Test
    void instancesSharingOneRedisAdmitCapacityPlusRefillAndNoMore(RedisNode redis) throws Exception {
        LettuceConnectionFactory first = RedisTestClients.factory(redis);
        LettuceConnectionFactory second = RedisTestClients.factory(redis);
        try {
            List<TokenBucketStore> instances = List.of(
                    new RedisTokenBucketStore(first, Duration.ofSeconds(2)),
                    new RedisTokenBucketStore(second, Duration.ofSeconds(2)));
            for (TokenBucketStore store : instances) { // connect and load the script, on a bucket of its own
                store.acquire("warm-up", "x", POLICY, OptionalLong.empty());
            }
            StringRedisTemplate redisTemplate = new StringRedisTemplate(first);
            String key = RateLimitKeys.bucketKey(ROUTE, CLIENT);
            AtomicLong admitted = new AtomicLong();
            AtomicLong calls = new AtomicLong();

            long before = serverMicros(redisTemplate);
            // The first call makes the bucket: its timestamp (server clock) is where the span begins.
            // The burst is drained before the threads start, so a slow thread start cannot let the
            // bucket fill up (refill above the capacity is rightly lost and would look like a shortfall).
            assertThat(instances.get(0).acquire(ROUTE, CLIENT, POLICY, OptionalLong.empty()).allowed()).isTrue();
            admitted.incrementAndGet();
            long created = Long.parseLong(redisTemplate.<String, String>opsForHash().get(key, "ts"));
            while (instances.get(1).acquire(ROUTE, CLIENT, POLICY, OptionalLong.empty()).allowed()) {
                admitted.incrementAndGet();
            }

            long stopAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HAMMER_MILLIS);
            List<Thread> threads = new ArrayList<>();
            for (TokenBucketStore store : instances) {
                for (int i = 0; i < THREADS_PER_INSTANCE; i++) {
                    Thread t = new Thread(() -> {
                        while (System.nanoTime() < stopAt) {
                            calls.incrementAndGet();
                            if (store.acquire(ROUTE, CLIENT, POLICY, OptionalLong.empty()).allowed()) {
                                admitted.incrementAndGet();
                            }
                        }
                    });
                    t.start();
                    threads.add(t);
                }
            }
            for (Thread t : threads) {
                t.join();
            }
            // a client that keeps asking ends the span on a refusal: no whole token is left unclaimed
            while (instances.get(0).acquire(ROUTE, CLIENT, POLICY, OptionalLong.empty()).allowed()) {
                admitted.incrementAndGet();
            }
            long after = serverMicros(redisTemplate);
            long lastCall = Long.parseLong(redisTemplate.<String, String>opsForHash().get(key, "ts"));
            double tokensLeft = Double.parseDouble(redisTemplate.<String, String>opsForHash().get(key, "tokens"));

            assertThat(calls.get()).as("the key was hammered").isGreaterThan(200);
            // no more than capacity + refill(T), T = Redis TIME before the first call .. after the last
            double measured = capacityPlusRefill(after - before);
            assertThat((double) admitted.get())
                    .as("admitted over %.3f s with %d calls", (after - before) / 1e6, calls.get())
                    .isLessThanOrEqualTo(measured);
            // not fewer than capacity + refill(T) - 1, T = the span the bucket saw (first .. last call,
            // server clock): TIME before/after also holds thread start-up and join, when nobody asks
            double served = capacityPlusRefill(lastCall - created);
            assertThat((double) admitted.get()).isGreaterThan(served - 1);
            // and exactly: what was admitted is what the bucket got, less what is left in it
            assertThat(admitted.get() + tokensLeft).isCloseTo(served, within(1e-6));
        } finally {
            first.destroy();
            second.destroy();
        }
    }

    /**
     * Several limits: the daily quota runs out while the burst limit still has tokens. Across both instances exactly
     * the quota is admitted, and each bucket lost one token per admitted request and no more: the refusals (by the
     * quota) spent nothing from the burst bucket. (The burst bucket refills slowly enough never to be full during the
     * test, so what it got is exactly capacity + refill.)
     */
    @Test
    void severalLimitsAdmitExactlyTheQuotaAcrossInstancesAndRefusalsSpendNothing(RedisNode redis) throws Exception {
        RateLimitPlan plan = RateLimitPlan.parse("burst:20:4:1,daily:25:1:3600");
        LettuceConnectionFactory first = RedisTestClients.factory(redis);
        LettuceConnectionFactory second = RedisTestClients.factory(redis);
        try {
            List<TokenBucketStore> instances = List.of(
                    new RedisTokenBucketStore(first, Duration.ofSeconds(2)),
                    new RedisTokenBucketStore(second, Duration.ofSeconds(2)));
            for (TokenBucketStore store : instances) {
                store.acquire("warm-up", "x", plan, 1, OptionalLong.empty());
            }
            StringRedisTemplate redisTemplate = new StringRedisTemplate(first);
            String daily = RateLimitKeys.limitKey(ROUTE, CLIENT, "daily");
            String burst = RateLimitKeys.limitKey(ROUTE, CLIENT, "burst");
            AtomicLong admitted = new AtomicLong();
            AtomicLong refusedByDaily = new AtomicLong();

            assertThat(instances.get(0).acquire(ROUTE, CLIENT, plan, 1, OptionalLong.empty()).allowed()).isTrue();
            admitted.incrementAndGet();
            long created = Long.parseLong(redisTemplate.<String, String>opsForHash().get(daily, "ts"));

            long stopAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HAMMER_MILLIS);
            List<Thread> threads = new ArrayList<>();
            for (TokenBucketStore store : instances) {
                for (int i = 0; i < THREADS_PER_INSTANCE; i++) {
                    Thread t = new Thread(() -> {
                        while (System.nanoTime() < stopAt) {
                            RateLimitVerdict v = store.acquire(ROUTE, CLIENT, plan, 1, OptionalLong.empty());
                            if (v.allowed()) {
                                admitted.incrementAndGet();
                            } else if (v.limits().get(1).decision().outcome() == RateLimitDecision.Outcome.LIMITED) {
                                refusedByDaily.incrementAndGet();
                            }
                        }
                    });
                    t.start();
                    threads.add(t);
                }
            }
            for (Thread t : threads) {
                t.join();
            }
            RateLimitVerdict last = instances.get(1).acquire(ROUTE, CLIENT, plan, 1, OptionalLong.empty());
            long lastCall = Long.parseLong(redisTemplate.<String, String>opsForHash().get(daily, "ts"));
            double dailyLeft = Double.parseDouble(redisTemplate.<String, String>opsForHash().get(daily, "tokens"));
            double burstLeft = Double.parseDouble(redisTemplate.<String, String>opsForHash().get(burst, "tokens"));

            assertThat(last.allowed()).isFalse();
            assertThat(refusedByDaily.get()).as("the quota refused many").isGreaterThan(200);
            assertThat(admitted.get()).as("the quota, exactly, over both instances").isEqualTo(25);
            double dailyGot = 25 + (double) (lastCall - created) / 3_600_000_000L;
            assertThat(admitted.get() + dailyLeft).isCloseTo(dailyGot, within(1e-6));
            double burstGot = 20 + (double) (lastCall - created) * 4 / 1_000_000;
            assertThat(admitted.get() + burstLeft).as("refusals by the quota spent nothing from the burst bucket")
                    .isCloseTo(burstGot, within(1e-6));
        } finally {
            first.destroy();
            second.destroy();
        }
    }

    private static double capacityPlusRefill(long micros) {
        return POLICY.capacity() + (double) micros * POLICY.refillTokens() / POLICY.refillPeriodMicros();
    }

    private static long serverMicros(StringRedisTemplate redis) {
        return redis.execute((RedisCallback<Long>) c -> c.serverCommands().time(TimeUnit.MICROSECONDS));
    }
}
