package dev.apigateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.store.StoreGuard;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Prometheus;
import dev.apigateway.support.RawHttp;
import dev.apigateway.testsupport.RedisCluster;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import dev.apigateway.testsupport.Resp;
import dev.apigateway.upstream.UpstreamService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Redis Cluster of three masters, each with a replica, {@code cluster-node-timeout} 1000 ms, two gateways on it
 * (fail mode {@code local} and {@code closed}). Under constant traffic from both a master is killed (SIGKILL) and the
 * cluster's own election promotes its replica (no {@code CLUSTER FAILOVER}: the automatic election takes about two
 * seconds at this node timeout, short enough, and is what production sees). Every answer in between is a promised
 * one: 200 or 429 {@code rate_limited}, and on the {@code closed} gateway 503 {@code store_unavailable}; never a 500 or
 * a hang. Within a deadline both gateways write through the promoted replica again, limit a new client exactly, and
 * a bucket emptied before the kill (replicated) is still empty.
 */
class RedisClusterFailoverTest {

    private static final int CAPACITY = 5;
    private static final Duration NODE_TIMEOUT = Duration.ofMillis(1000);
    /** How long the gateways may take to write through the promoted replica, counted from the kill. */
    private static final Duration FOLLOW_WITHIN = Duration.ofSeconds(20);

    private static RedisCluster cluster;
    private static UpstreamService upstream;
    private static GatewayInstance local;
    private static GatewayInstance closed;

    @BeforeAll
    static void start() {
        cluster = RedisServers.startCluster(3, 1, NODE_TIMEOUT);
        upstream = GatewayTestUpstream.get();
        local = gateway("local");
        closed = gateway("closed");
    }

    private static GatewayInstance gateway(String failMode) {
        return GatewayInstance.start(
                "spring.data.redis.cluster.nodes=" + cluster.clusterNodes(),
                "gateway.state-store=redis",
                // generous, so that a loaded CI machine does not turn a healthy store into fallback decisions
                "gateway.store-timeout=1s",
                "gateway.upstream-url=" + upstream.baseUrl(),
                "gateway.rate-limit.capacity=" + CAPACITY,
                "gateway.rate-limit.refill-rate=1",
                "gateway.rate-limit.refill-period=3600",
                "gateway.rate-limit.fail-mode=" + failMode);
    }

    @AfterAll
    static void stop() {
        for (GatewayInstance g : new GatewayInstance[] {local, closed}) {
            if (g != null) {
                g.close();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aMasterKilledUnderTrafficIsReplacedByItsReplicaAndBothGatewaysFollowWithOnlyFailModeAnswersBetween()
            throws Exception {
        RedisNode victim = cluster.initialMasters().get(1);
        RedisNode replica = cluster.initialReplicasOf(victim).get(0);
        List<String> onVictim = clientsOn(victim, 4, 10);
        String emptied = onVictim.get(0);
        String followLocal = onVictim.get(1);
        String followClosed = onVictim.get(2);
        String freshAfter = onVictim.get(3);
        List<String> traffic = new ArrayList<>(clientsOn(victim, 3, 20));
        traffic.addAll(clientsOn(cluster.initialMasters().get(0), 3, 30));

        // before: a bucket emptied through the store, its state replicated to the replica
        assertThat(admitted(local, emptied, CAPACITY + 2)).isEqualTo(CAPACITY);
        await("the emptied bucket replicated", Duration.ofSeconds(10),
                () -> !((List<?>) readOnReplica(replica, bucketKey(emptied))).isEmpty()
                        && readOnReplica(replica, bucketKey(emptied)).equals(victim.command("HGETALL", bucketKey(emptied))));

        Queue<Answer> answers = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            GatewayInstance gateway = t % 2 == 0 ? local : closed;
            String mode = t % 2 == 0 ? "local" : "closed";
            int first = t;
            work.add(pool.submit(() -> {
                for (int i = first; running.get(); i++) {
                    String client = traffic.get(i % traffic.size());
                    answers.add(new Answer(mode, i % traffic.size() < 3, // the first three are on the victim
                            gateway.get(client, "/proxy/ok")));
                }
                return null;
            }));
        }
        long killedAt;
        long promotedAt;
        long followedAt;
        try {
            await("traffic flowing", Duration.ofSeconds(10), () -> answers.size() >= 20);
            killedAt = System.nanoTime();
            victim.kill();
            // the store guards see the outage and back off from the whole store (gateway_store_available 0)
            await("both gateways backing off", Duration.ofSeconds(10), () -> !local.bean(StoreGuard.class).isAvailable()
                    && !closed.bean(StoreGuard.class).isAvailable());
            await("the replica promoted by the cluster", Duration.ofSeconds(20),
                    () -> roleOrNull(replica).equals("master"));
            promotedAt = System.nanoTime();
            // both gateways write through the promoted replica: a new client's bucket appears on it
            await("both gateways write through the promoted replica", FOLLOW_WITHIN, () -> {
                request(local, followLocal);
                request(closed, followClosed);
                return exists(replica, followLocal) && exists(replica, followClosed);
            });
            followedAt = System.nanoTime();
            int before = answers.size();
            await("traffic after the failover", Duration.ofSeconds(10), () -> answers.size() >= before + 20);
        } finally {
            running.set(false);
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("no request hung").isTrue();
        }
        for (Future<?> f : work) {
            f.get(); // an exception (a connection the gateway dropped, a read timeout) fails the test here
        }

        Map<String, Integer> seen = new TreeMap<>();
        for (Answer a : answers) {
            String what = a.mode() + " " + a.response().status() + " " + errorCode(a.response());
            seen.merge(what + (a.victims() ? " (killed master's slots)" : " (other slots)"), 1, Integer::sum);
            assertThat(a.response().status()).as(what).isIn(200, 429, 503);
            if (a.response().status() == 429) {
                assertThat(errorCode(a.response())).as(what).isEqualTo("rate_limited");
            }
            if (a.response().status() == 503) {
                assertThat(a.mode()).as("only fail mode closed answers 503").isEqualTo("closed");
                assertThat(errorCode(a.response())).as(what).isEqualTo("store_unavailable");
                assertThat(Long.parseLong(a.response().header("Retry-After"))).isPositive();
            }
        }
        // the measured times, for the test report (OPERATIONS.md quotes them)
        System.out.printf("failover: replica promoted %d ms after the kill, both gateways writing through it %d ms after"
                + " the kill; answers %s%n", millis(promotedAt - killedAt), millis(followedAt - killedAt), seen);

        // exact again through the promoted replica, and the bucket emptied before the kill is still empty
        for (GatewayInstance gateway : new GatewayInstance[] {local, closed}) {
            assertThat(gateway.bean(StoreGuard.class).isAvailable()).isTrue();
            RawHttp.Response stillEmpty = gateway.get(emptied, "/proxy/ok");
            assertThat(stillEmpty.status()).as("the replicated bucket").isEqualTo(429);
            assertThat(Long.parseLong(stillEmpty.header("Retry-After"))).isPositive();
        }
        int admitted = 0;
        for (int i = 0; i < CAPACITY + 4; i++) {
            RawHttp.Response r = (i % 2 == 0 ? local : closed).get(freshAfter, "/proxy/ok");
            assertThat(r.status()).isIn(200, 429);
            admitted += r.status() == 200 ? 1 : 0;
            if (r.status() == 429) {
                assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
            }
        }
        assertThat(admitted).as("a new client after the failover, across both gateways").isEqualTo(CAPACITY);
        assertThat(exists(replica, freshAfter)).isTrue();
        // the window was seen by the gateways as store errors and fail-mode decisions, counted
        assertThat(Prometheus.value(Prometheus.scrape(closed.managementPort()), "gateway_rate_limit_decisions_total",
                "outcome=\"store_unavailable\"")).isGreaterThanOrEqualTo(seen.entrySet().stream()
                .filter(e -> e.getKey().startsWith("closed 503")).mapToInt(Map.Entry::getValue).sum());
    }

    /** One answer of the traffic; {@code victims} when the client's bucket was on the killed master. */
    private record Answer(String mode, boolean victims, RawHttp.Response response) {
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** {@code n} loopback client addresses {@code 127.0.<block>.x} whose bucket of route {@code proxy} is on {@code master}. */
    private static List<String> clientsOn(RedisNode master, int n, int block) {
        List<String> chosen = new ArrayList<>();
        for (int last = 1; last < 255 && chosen.size() < n; last++) {
            String address = "127.0." + block + "." + last;
            if (RedisClusterTest.ownerIn(cluster, bucketKey(address)).port() == master.port()) {
                chosen.add(address);
            }
        }
        assertThat(chosen).hasSize(n);
        return chosen;
    }

    private static int admitted(GatewayInstance gateway, String client, int requests) throws Exception {
        int admitted = 0;
        for (int i = 0; i < requests; i++) {
            int status = gateway.get(client, "/proxy/ok").status();
            assertThat(status).isIn(200, 429);
            admitted += status == 200 ? 1 : 0;
        }
        return admitted;
    }

    private static void request(GatewayInstance gateway, String client) {
        try {
            int status = gateway.get(client, "/proxy/ok").status();
            assertThat(status).isIn(200, 429, 503);
        } catch (Exception e) {
            throw new AssertionError("no answer from the gateway", e);
        }
    }

    private static boolean exists(RedisNode node, String client) {
        return Long.valueOf(1L).equals(node.command("EXISTS", bucketKey(client)));
    }

    /** HGETALL on a replica (READONLY on the connection, or a cluster replica answers MOVED). */
    private static Object readOnReplica(RedisNode replica, String key) {
        try (Resp resp = new Resp(replica.host(), replica.port(), Duration.ofSeconds(5))) {
            resp.command("READONLY");
            return resp.command("HGETALL", key);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String roleOrNull(RedisNode node) {
        try {
            return RedisCluster.role(node);
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static String errorCode(RawHttp.Response response) {
        String body = response.bodyText();
        int at = body.indexOf("\"error\":\"");
        return at < 0 ? "-" : body.substring(at + 9, body.indexOf('"', at + 9));
    }

    private static String bucketKey(String address) {
        return "api-gateway:rate-limit:{proxy:ip:" + address + "}";
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("not within %s: %s", within, what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
