package dev.apigateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.store.InstanceRegistry;
import dev.apigateway.store.StateStoreSelection;
import dev.apigateway.store.StoreGuard;
import dev.apigateway.store.StoreHealthIndicator;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.Poll;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Prometheus;
import dev.apigateway.support.RawHttp;
import dev.apigateway.testsupport.RedisCluster;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import dev.apigateway.upstream.UpstreamService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.actuate.health.Status;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Two whole gateways on a real Redis Cluster of three masters, given only {@code spring.data.redis.cluster.nodes}:
 * A with {@code gateway.state-store=redis}, B with the default {@code auto}. Hammered concurrently, several
 * clients whose buckets live on every master each get exactly their capacity; a breaker opened on A is seen on B.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterGatewaysTest {

    private static final int CAPACITY = 8;

    private static RedisCluster cluster;
    private static UpstreamService upstream;
    private static GatewayInstance a;
    private static GatewayInstance b;

    @BeforeAll
    static void start() {
        cluster = RedisServers.startCluster(3);
        upstream = GatewayTestUpstream.get();
        a = gateway("gateway.state-store=redis");
        b = gateway(); // auto: Redis because the cluster nodes are set
    }

    private static GatewayInstance gateway(String... extra) {
        List<String> properties = new ArrayList<>(List.of(
                "spring.data.redis.cluster.nodes=" + cluster.clusterNodes(),
                // generous: a loaded 2-core CI machine must not turn a healthy store into a fallback decision
                "gateway.store-timeout=2s",
                "gateway.upstream-url=" + upstream.baseUrl(),
                "gateway.upstream-timeout=1",
                "gateway.rate-limit.capacity=" + CAPACITY,
                "gateway.rate-limit.refill-rate=1",
                "gateway.rate-limit.refill-period=3600",
                "gateway.circuit-breaker.failure-threshold=3",
                "gateway.circuit-breaker.reset-timeout=30"));
        properties.addAll(List.of(extra));
        return GatewayInstance.start(properties.toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        cluster.close();
    }

    @BeforeEach
    void reset() throws Exception {
        a.post("/actuator/circuitbreakers/proxy", "{\"action\":\"close\"}");
        upstream.reset();
    }

    @Test
    @Order(1)
    void autoSelectsRedisWhenOnlyClusterNodesAreSetAndBothInstancesUseTheCluster() throws Exception {
        StateStoreSelection selection = b.bean(StateStoreSelection.class);
        assertThat(selection.redis()).isTrue();
        assertThat(selection.reason()).contains("spring.data.redis.cluster.nodes");
        for (GatewayInstance gateway : new GatewayInstance[] {a, b}) {
            var connections = (org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory)
                    gateway.bean(RedisConnectionFactory.class);
            assertThat(connections.getClusterConfiguration()).as("cluster-mode client").isNotNull();
            // the gateway's cluster defaults: the topology is re-read on a failover or a moved slot, and every 5 s
            var refresh = ((io.lettuce.core.cluster.ClusterClientOptions) connections.getClientConfiguration()
                    .getClientOptions().orElseThrow()).getTopologyRefreshOptions();
            assertThat(refresh.getAdaptiveRefreshTriggers()).isNotEmpty();
            assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
            assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(5));
            // the store guard's probe and the health indicator PING every master
            assertThat(gateway.bean(StoreHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
            assertThat(gateway.bean(StoreHealthIndicator.class).health().getDetails()).containsEntry("reachable", true);
            assertThat(gateway.bean(StoreGuard.class).isAvailable()).isTrue();
        }
        // the instance registry (one sorted set, one slot) counts both
        awaitStatus(() -> {
            a.bean(InstanceRegistry.class).heartbeat();
            return b.bean(InstanceRegistry.class).heartbeat();
        }, 2);
        assertThat(b.get("127.0.0.39", "/health").status()).isEqualTo(200);
        assertThat(b.get("127.0.0.39", "/health/readiness").status()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void eachClientGetsExactlyItsCapacityAcrossBothInstancesWithBucketsOnEveryMaster() throws Exception {
        Map<String, Integer> clients = clientsOnEveryMaster(2);
        Map<String, AtomicInteger> admitted = new ConcurrentHashMap<>();
        AtomicInteger upstreamCalls = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            GatewayInstance target = t % 2 == 0 ? a : b;
            work.add(pool.submit(() -> {
                // each thread sends 3 requests for every client: 24 a client, three times its capacity
                for (int round = 0; round < 3; round++) {
                    for (String client : clients.keySet()) {
                        RawHttp.Response response = target.get(client, "/proxy/ok");
                        assertThat(response.status()).isIn(200, 429);
                        if (response.status() == 200) {
                            admitted.computeIfAbsent(client, c -> new AtomicInteger()).incrementAndGet();
                            upstreamCalls.incrementAndGet();
                        } else {
                            assertThat(response.bodyText()).contains("\"rate_limited\"");
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        for (GatewayInstance gateway : new GatewayInstance[] {a, b}) {
            assertThat(Prometheus.value(Prometheus.scrape(gateway.managementPort()), "gateway_rate_limit_decisions_total",
                    "outcome=\"fallback_allowed\"")).as("decisions made without the store").isZero();
        }
        assertThat(admitted).hasSize(clients.size());
        admitted.forEach((client, n) -> assertThat(n.get()).as(client).isEqualTo(CAPACITY));
        assertThat(upstream.hits("/ok")).isEqualTo(CAPACITY * clients.size());
        // each bucket is on the master its slot says, and the clients cover all three
        for (Map.Entry<String, Integer> client : clients.entrySet()) {
            RedisNode owner = cluster.nodes().stream().filter(n -> n.port() == client.getValue()).findFirst().orElseThrow();
            assertThat(owner.command("EXISTS", bucketKey(client.getKey()))).as(client.getKey()).isEqualTo(1L);
        }
        assertThat(new java.util.HashSet<>(clients.values())).hasSize(3);
    }

    @Test
    @Order(3)
    void aBreakerOpenedOnOneInstanceIsSeenOnTheOther() throws Exception {
        // B has served the route (CLOSED in its cache): only the cluster's pub/sub (or the periodic re-read) tells it
        assertThat(b.get("127.0.0.38", "/proxy/ok").status()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(a.get("127.0.0.38", "/proxy/status/500").status()).isEqualTo(500);
        }
        a.awaitBreakerOpen("proxy");
        b.awaitBreakerOpen("proxy");
        upstream.reset();
        RawHttp.Response rejected = b.get("127.0.0.38", "/proxy/ok");
        assertThat(rejected.status()).isEqualTo(503);
        assertThat(rejected.bodyText()).contains("\"circuit_open\"");
        assertThat(Long.parseLong(rejected.header("Retry-After"))).isBetween(1L, 30L);
        assertThat(upstream.hits("/ok")).isZero();

        // the operator closes it on B: A serves again
        b.post("/actuator/circuitbreakers/proxy", "{\"action\":\"close\"}");
        awaitStatus(() -> a.get("127.0.0.38", "/proxy/ok").status(), 200);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void withAMasterLostTheClusterIsReportedUnreachableAndEachInstanceLimitsAtItsShare() throws Exception {
        awaitStatus(() -> {
            a.bean(InstanceRegistry.class).heartbeat();
            return b.bean(InstanceRegistry.class).heartbeat();
        }, 2);
        a.bean(InstanceRegistry.class).heartbeat();
        RedisNode lost = cluster.nodes().get(2);
        RedisNode survivor = cluster.nodes().get(0);
        lost.kill();
        // no replica takes its slots: with the default cluster-require-full-coverage the cluster refuses every key
        awaitStatus(() -> String.valueOf(survivor.command("CLUSTER", "INFO")).contains("cluster_state:fail") ? 1 : 0, 1);
        StoreHealthIndicator health = a.bean(StoreHealthIndicator.class);
        awaitStatus(() -> {
            a.get("127.0.0.37", "/health");
            return Boolean.FALSE.equals(health.health().getDetails().get("reachable")) ? 1 : 0;
        }, 1);
        int admitted = 0;
        for (int i = 0; i < CAPACITY; i++) {
            int status = a.get("127.0.0.37", "/proxy/ok").status();
            assertThat(status).isIn(200, 429);
            admitted += status == 200 ? 1 : 0;
        }
        // fail mode local: the capacity divided by the two live instances
        assertThat(admitted).isEqualTo(CAPACITY / 2);
        assertThat(health.health().getDetails()).containsEntry("reachable", false);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** Loopback client addresses, {@code perMaster} whose bucket of route {@code proxy} lives on each master. */
    private static Map<String, Integer> clientsOnEveryMaster(int perMaster) {
        Map<String, Integer> chosen = new LinkedHashMap<>();
        Map<Integer, Integer> count = new HashMap<>();
        for (int last = 40; last < 250 && chosen.size() < 3 * perMaster; last++) {
            String address = "127.0.0." + last;
            int port = RedisClusterTest.ownerIn(cluster, bucketKey(address)).port();
            if (count.getOrDefault(port, 0) < perMaster) {
                count.merge(port, 1, Integer::sum);
                chosen.put(address, port);
            }
        }
        assertThat(chosen).hasSize(3 * perMaster);
        return chosen;
    }

    private static String bucketKey(String address) {
        return "api-gateway:rate-limit:{proxy:ip:" + address + "}";
    }

    private static void awaitStatus(Poll.IntCall call, int expected) throws Exception {
        Poll.until(call, expected, Duration.ofSeconds(10));
    }
}
