package dev.apigateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.circuitbreaker.BreakerPolicy;
import dev.apigateway.circuitbreaker.BreakerRegistry;
import dev.apigateway.circuitbreaker.BreakerState;
import dev.apigateway.circuitbreaker.CircuitOpenException;
import dev.apigateway.circuitbreaker.Permit;
import dev.apigateway.circuitbreaker.redis.RedisBreakerEventSubscriber;
import dev.apigateway.circuitbreaker.redis.RedisBreakerEventsSubscription;
import dev.apigateway.circuitbreaker.redis.RedisBreakerStore;
import dev.apigateway.store.SharedStore;
import dev.apigateway.ratelimit.RateLimitKeys;
import dev.apigateway.ratelimit.RateLimitPlan;
import dev.apigateway.ratelimit.RateLimitPolicy;
import dev.apigateway.ratelimit.RateLimitVerdict;
import dev.apigateway.ratelimit.RedisTokenBucketStore;
import dev.apigateway.store.InstanceRegistry;
import dev.apigateway.store.StoreGuard;
import dev.apigateway.testsupport.RedisCluster;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import dev.apigateway.testsupport.RedisTestClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * The limiter's and the breaker's Redis code against a real Redis Cluster of three masters on loopback, through
 * two independent cluster-mode Lettuce connection factories (two gateway instances): keys spread over every
 * master, limits stay exact per key under concurrent calls, and a breaker opened through one factory is seen
 * through the other by pub/sub.
 */
class RedisClusterTest {

    private static RedisCluster cluster;
    private static LettuceConnectionFactory one;
    private static LettuceConnectionFactory two;

    @BeforeAll
    static void start() {
        cluster = RedisServers.startCluster(3);
        one = RedisTestClients.factory(cluster);
        two = RedisTestClients.factory(cluster);
    }

    @AfterAll
    static void stop() {
        one.destroy();
        two.destroy();
        cluster.close();
    }

    @BeforeEach
    void empty() {
        cluster.nodes().forEach(RedisNode::flushAll);
    }

    @Test
    void bucketsSpreadOverAllMastersAndEachKeyAdmitsExactlyItsCapacityUnderConcurrentCalls() throws Exception {
        RedisTokenBucketStore a = new RedisTokenBucketStore(one, Duration.ofSeconds(2));
        RedisTokenBucketStore b = new RedisTokenBucketStore(two, Duration.ofSeconds(2));
        // one token an hour: over the test the limit is the capacity, exactly
        RateLimitPolicy policy = RateLimitPolicy.of(5, 1, 3600);
        List<String[]> buckets = new ArrayList<>();
        for (int route = 0; route < 4; route++) {
            for (int client = 0; client < 12; client++) {
                buckets.add(new String[] {"route-" + route, "ip:10.0." + route + "." + client});
            }
        }
        Map<String, AtomicInteger> admitted = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            RedisTokenBucketStore store = t % 2 == 0 ? a : b;
            work.add(pool.submit(() -> {
                // every thread goes over every bucket: 8 callers, 5 tokens each
                for (String[] bucket : buckets) {
                    if (store.acquire(bucket[0], bucket[1], policy, OptionalLong.empty()).allowed()) {
                        admitted.computeIfAbsent(bucket[0] + "|" + bucket[1], k -> new AtomicInteger()).incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        assertThat(admitted).hasSize(buckets.size());
        admitted.forEach((bucket, count) -> assertThat(count.get()).as(bucket).isEqualTo(5));

        Set<String> expected = new HashSet<>();
        buckets.forEach(bk -> expected.add(RateLimitKeys.bucketKey(bk[0], bk[1])));
        assertThat(keysPerMaster(RateLimitKeys.BUCKET_PREFIX + "*"))
                .as("every master holds some of the buckets, and together all of them")
                .allSatisfy((port, keys) -> assertThat(keys).isNotEmpty())
                .satisfies(perNode -> assertThat(union(perNode)).isEqualTo(expected));
        // and each key is on the master that owns its slot
        for (String key : expected) {
            assertThat(owner(key).command("EXISTS", key)).as(key).isEqualTo(1L);
        }
    }

    @Test
    void aClientsSeveralLimitsAreOneScriptCallOnTheMasterOfTheirSlotForEveryClient() {
        RedisTokenBucketStore a = new RedisTokenBucketStore(one, Duration.ofSeconds(2));
        RedisTokenBucketStore b = new RedisTokenBucketStore(two, Duration.ofSeconds(2));
        RateLimitPlan plan = RateLimitPlan.parse("burst:2:1:3600,daily:3:3:86400,trial:1:1:3600:shadow");
        Set<Integer> masters = new HashSet<>();
        for (int client = 0; client < 24; client++) {
            String key = "ip:10.1.0." + client;
            // no CROSSSLOT: the three keys share the client's hash tag, whichever master owns it
            assertThat(a.acquire("multi", key, plan, 1, OptionalLong.empty()).allowed()).isTrue();
            assertThat(b.acquire("multi", key, plan, 1, OptionalLong.empty()).allowed()).isTrue();
            RateLimitVerdict refused = a.acquire("multi", key, plan, 1, OptionalLong.empty());
            assertThat(refused.allowed()).isFalse();
            assertThat(refused.limits().get(1).decision().remaining()).as("nothing spent on refusal").isEqualTo(1);
            RedisNode owner = owner(RateLimitKeys.limitKey("multi", key, "burst"));
            for (String limit : plan.names()) {
                assertThat(owner.command("EXISTS", RateLimitKeys.limitKey("multi", key, limit))).isEqualTo(1L);
            }
            masters.add(owner.port());
        }
        assertThat(masters).as("clients spread over every master").hasSize(3);
    }

    @Test
    void breakersForRoutesOnEveryMasterOpenedThroughOneFactoryAreSeenThroughTheOther() throws Exception {
        BreakerPolicy policy = new BreakerPolicy(3, Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(11));
        try (Instance a = new Instance(one, policy); Instance b = new Instance(two, policy)) {
            awaitTrue("both instances subscribed on the cluster", Duration.ofSeconds(10),
                    () -> a.subscription.listening() && b.subscription.listening());
            // the container subscribes asynchronously: wait until a message really arrives at both
            awaitSubscribersReceive(a, b);

            List<String> routes = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                routes.add("route-" + i);
            }
            // both instances have served each route once: B holds CLOSED in its cache and (no periodic re-read
            // started) only a pub/sub message can tell it otherwise
            for (String route : routes) {
                a.registry.acquire(route);
                b.registry.acquire(route);
            }
            for (String route : routes) {
                for (int f = 0; f < 3; f++) {
                    a.registry.onFailure(a.registry.acquire(route));
                }
                assertThatThrownBy(() -> a.registry.acquire(route)).isInstanceOf(CircuitOpenException.class);
            }
            for (String route : routes) {
                awaitTrue("B sees " + route + " OPEN", Duration.ofSeconds(10), () -> rejects(b.registry, route));
            }
            Set<String> expected = new HashSet<>(Set.of(RedisBreakerStore.key("route-subscribed")));
            routes.forEach(r -> expected.add(RedisBreakerStore.key(r)));
            assertThat(keysPerMaster(RedisBreakerStore.KEY_PREFIX + "*"))
                    .allSatisfy((port, keys) -> assertThat(keys).isNotEmpty())
                    .satisfies(perNode -> assertThat(union(perNode)).isEqualTo(expected));

            // concurrent failures through both factories on one route add up to exactly one OPEN transition
            String shared = "route-shared";
            a.registry.acquire(shared);
            b.registry.acquire(shared);
            ExecutorService pool = Executors.newFixedThreadPool(6);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                BreakerRegistry r = t % 2 == 0 ? a.registry : b.registry;
                work.add(pool.submit(() -> {
                    go.await();
                    try {
                        Permit p = r.acquire(shared);
                        r.onFailure(p);
                    } catch (CircuitOpenException alreadyOpen) {
                        // a late caller may find it open already
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : work) {
                f.get();
            }
            pool.shutdown();
            awaitTrue("both reject " + shared, Duration.ofSeconds(10),
                    () -> rejects(a.registry, shared) && rejects(b.registry, shared));
            assertThat(a.transitions(shared) + b.transitions(shared)).isEqualTo(1.0);
        }
    }

    @Test
    void aListenerContainerOnTheClusterReceivesPublishesMadeOnEveryMasterAndFromLuaScripts() throws Exception {
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(two);
        List<String> received = new CopyOnWriteArrayList<>();
        container.addMessageListener((message, pattern) -> received.add(new String(message.getBody())),
                new ChannelTopic(RedisBreakerStore.EVENTS_CHANNEL));
        container.afterPropertiesSet();
        container.start();
        try {
            awaitTrue("subscribed", Duration.ofSeconds(10), () -> {
                cluster.nodes().get(0).command("PUBLISH", RedisBreakerStore.EVENTS_CHANNEL, "hello");
                return received.contains("hello");
            });
            for (RedisNode node : cluster.nodes()) {
                node.command("PUBLISH", RedisBreakerStore.EVENTS_CHANNEL, "plain-" + node.port());
                node.command("EVAL", "return redis.call('PUBLISH', ARGV[1], ARGV[2])", "0",
                        RedisBreakerStore.EVENTS_CHANNEL, "lua-" + node.port());
            }
            // through the other factory, as RedisBreakerStore.publish does
            new StringRedisTemplate(one).convertAndSend(RedisBreakerStore.EVENTS_CHANNEL, "template");
            List<String> want = new ArrayList<>(List.of("template"));
            cluster.nodes().forEach(n -> want.addAll(List.of("plain-" + n.port(), "lua-" + n.port())));
            awaitTrue("every publish received", Duration.ofSeconds(10), () -> received.containsAll(want));
        } finally {
            container.stop();
            container.destroy();
        }
    }

    @Test
    void pingHeartbeatAndStoreGuardProbeWorkInClusterMode() {
        StringRedisTemplate redis = new StringRedisTemplate(one);
        // what StateStoreConfiguration's probe and health indicator run
        assertThat(redis.execute((RedisCallback<String>) RedisConnection::ping)).isEqualTo("PONG");
        try (StoreGuard guard = StoreGuard.builder("redis").timeout(Duration.ofSeconds(2)).build();
             InstanceRegistry first = new InstanceRegistry(redis, guard, "gw-1");
             InstanceRegistry second = new InstanceRegistry(new StringRedisTemplate(two), guard, "gw-2")) {
            assertThat(first.heartbeat()).isEqualTo(1);
            assertThat(second.heartbeat()).isEqualTo(2);
            assertThat(first.heartbeat()).isEqualTo(2);
            assertThat(guard.isAvailable()).isTrue();
        }
    }

    /** The scripts are loaded (EVAL after NOSCRIPT) on whichever master a key lives on, also after SCRIPT FLUSH. */
    @Test
    void scriptsAreLoadedOnEveryMasterAfterAFlush() {
        RedisTokenBucketStore store = new RedisTokenBucketStore(one, Duration.ofSeconds(2));
        RateLimitPolicy policy = RateLimitPolicy.of(2, 1, 3600);
        cluster.nodes().forEach(RedisNode::scriptFlush);
        Map<Integer, Integer> hitsPerMaster = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            assertThat(store.acquire("route", "client-" + i, policy, OptionalLong.empty()).allowed()).isTrue();
            hitsPerMaster.merge(owner(RateLimitKeys.bucketKey("route", "client-" + i)).port(), 1, Integer::sum);
        }
        assertThat(hitsPerMaster).hasSize(3);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** One gateway instance's breaker as the Spring wiring builds it, on one connection factory. */
    private static final class Instance implements AutoCloseable {
        final SimpleMeterRegistry meters = new SimpleMeterRegistry();
        final RedisBreakerStore store;
        final BreakerRegistry registry;
        final RedisBreakerEventsSubscription subscription;

        Instance(LettuceConnectionFactory connections, BreakerPolicy policy) {
            store = new RedisBreakerStore(new StringRedisTemplate(connections), SharedStore.direct(), new ObjectMapper());
            registry = new BreakerRegistry(store, policy, meters, Clock.systemUTC(), true, Duration.ofHours(1));
            subscription = new RedisBreakerEventsSubscription(connections, new RedisBreakerEventSubscriber(store, registry),
                    Duration.ofMillis(200));
            subscription.start();
        }

        double transitions(String route) {
            var counter = meters.find(BreakerRegistry.TRANSITIONS_METER)
                    .tags("route", route, "from", BreakerState.CLOSED.label(), "to", BreakerState.OPEN.label()).counter();
            return counter == null ? 0 : counter.count();
        }

        @Override
        public void close() throws Exception {
            registry.close();
            subscription.destroy();
        }
    }

    /** Opens and closes a probe route through A until B has seen it open: both subscriptions deliver. */
    private static void awaitSubscribersReceive(Instance a, Instance b) {
        String route = "route-subscribed";
        assertThat(rejects(b.registry, route)).isFalse(); // B knows the route (CLOSED) from here on
        awaitTrue("B receives A's transitions", Duration.ofSeconds(10), () -> {
            a.registry.force(route, BreakerState.CLOSED);
            a.registry.force(route, BreakerState.OPEN);
            long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
            while (System.nanoTime() < deadline) {
                if (rejects(b.registry, route)) {
                    return true;
                }
                sleep(10);
            }
            return false;
        });
        a.registry.force(route, BreakerState.CLOSED);
    }

    private static boolean rejects(BreakerRegistry registry, String route) {
        try {
            Permit p = registry.acquire(route);
            assertThat(p.probe()).as("a poll took the probe of " + route).isFalse();
            return false;
        } catch (CircuitOpenException e) {
            return true;
        }
    }

    /** KEYS on each master (a Cluster node answers for its own slots only). */
    private static Map<Integer, List<String>> keysPerMaster(String pattern) {
        Map<Integer, List<String>> perNode = new HashMap<>();
        for (RedisNode node : cluster.nodes()) {
            List<String> keys = new ArrayList<>();
            for (Object key : (List<?>) node.command("KEYS", pattern)) {
                keys.add(key.toString());
            }
            perNode.put(node.port(), keys);
        }
        return perNode;
    }

    private static Set<String> union(Map<Integer, List<String>> perNode) {
        Set<String> all = new HashSet<>();
        perNode.values().forEach(all::addAll);
        return all;
    }

    /** The master that owns the key's slot, from CLUSTER KEYSLOT and CLUSTER SLOTS. */
    private static RedisNode owner(String key) {
        return ownerIn(cluster, key);
    }

    static RedisNode ownerIn(RedisCluster cluster, String key) {
        RedisNode any = cluster.nodes().get(0);
        long slot = (Long) any.command("CLUSTER", "KEYSLOT", key);
        for (Object range : (List<?>) any.command("CLUSTER", "SLOTS")) {
            List<?> r = (List<?>) range;
            if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
                long port = (Long) ((List<?>) r.get(2)).get(1);
                return cluster.nodes().stream().filter(n -> n.port() == port).findFirst().orElseThrow();
            }
        }
        throw new AssertionError("no master owns slot " + slot);
    }

    private static void awaitTrue(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            sleep(20);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
