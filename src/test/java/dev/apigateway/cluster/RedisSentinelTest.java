package dev.apigateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.store.StateStoreSelection;
import dev.apigateway.store.StoreGuard;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.RawHttp;
import dev.apigateway.testsupport.RedisSentinelGroup;
import dev.apigateway.upstream.UpstreamService;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A gateway given only Spring Data Redis's Sentinel settings and {@code REDIS_PASSWORD}, in front of a real
 * Sentinel watching a password-protected master and replica on loopback: it limits through the master the
 * Sentinel names, and after {@code SENTINEL FAILOVER} follows the new master by itself.
 */
class RedisSentinelTest {

    private static final int CAPACITY = 5;
    private static final String DATA_PASSWORD = "data-secret";
    private static final String SENTINEL_PASSWORD = "sentinel-secret";

    private static RedisSentinelGroup redis;
    private static UpstreamService upstream;
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        redis = RedisSentinelGroup.start(DATA_PASSWORD, SENTINEL_PASSWORD);
        upstream = GatewayTestUpstream.get();
        gateway = GatewayInstance.start(
                "spring.data.redis.sentinel.master=" + RedisSentinelGroup.MASTER_NAME,
                "spring.data.redis.sentinel.nodes=" + redis.sentinelNodes(),
                "spring.data.redis.sentinel.password=" + SENTINEL_PASSWORD,
                // as the environment variable would: application.yml maps it to spring.data.redis.password
                "REDIS_PASSWORD=" + DATA_PASSWORD,
                "gateway.store-timeout=2s",
                "gateway.upstream-url=" + upstream.baseUrl(),
                "gateway.rate-limit.capacity=" + CAPACITY,
                "gateway.rate-limit.refill-rate=1",
                "gateway.rate-limit.refill-period=3600");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void limitsThroughTheSentinelsMasterAndFollowsAFailover() throws Exception {
        StateStoreSelection selection = gateway.bean(StateStoreSelection.class);
        assertThat(selection.redis()).isTrue();
        assertThat(selection.reason()).contains("spring.data.redis.sentinel.master");
        RedisSentinelConfiguration sentinel = ((LettuceConnectionFactory) gateway.bean(RedisConnectionFactory.class))
                .getSentinelConfiguration();
        assertThat(sentinel).isNotNull();
        assertThat(sentinel.getMaster().getName()).isEqualTo(RedisSentinelGroup.MASTER_NAME);
        assertThat(new String(sentinel.getPassword().get())).isEqualTo(DATA_PASSWORD);
        assertThat(new String(sentinel.getSentinelPassword().get())).isEqualTo(SENTINEL_PASSWORD);

        int firstMaster = redis.masterPort();
        assertThat(admitted("127.0.0.50", CAPACITY + 3)).isEqualTo(CAPACITY);
        assertThat(redis.data(redis.node(firstMaster), "EXISTS", bucketKey("127.0.0.50"))).isEqualTo(1L);

        redis.failover();
        int secondMaster = redis.masterPort();
        assertThat(secondMaster).isNotEqualTo(firstMaster);
        // back on Redis by itself: a new client's bucket appears on the new master
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Long.valueOf(1L).equals(redis.data(redis.node(secondMaster), "EXISTS", bucketKey("127.0.0.51")))) {
            assertThat(System.nanoTime()).as("the gateway uses the new master").isLessThan(deadline);
            get("127.0.0.51", "/proxy/status/204");
            Thread.sleep(100);
        }
        assertThat(gateway.bean(StoreGuard.class).isAvailable()).isTrue();
        // the limit is exact on the new master, and the bucket emptied before the failover was replicated
        assertThat(admitted("127.0.0.52", CAPACITY + 3)).isEqualTo(CAPACITY);
        assertThat(redis.data(redis.node(secondMaster), "EXISTS", bucketKey("127.0.0.52"))).isEqualTo(1L);
        assertThat(get("127.0.0.50", "/proxy/ok").status()).isEqualTo(429);
    }

    private static int admitted(String client, int requests) throws Exception {
        int admitted = 0;
        for (int i = 0; i < requests; i++) {
            int status = get(client, "/proxy/ok").status();
            assertThat(status).isIn(200, 429);
            admitted += status == 200 ? 1 : 0;
        }
        return admitted;
    }

    private static String bucketKey(String address) {
        return "api-gateway:rate-limit:{proxy:ip:" + address + "}";
    }

    private static RawHttp.Response get(String from, String path) throws Exception {
        return RawHttp.exchangeFrom(from, gateway.port(),
                "GET " + path + " HTTP/1.1\nHost: gateway.test\nConnection: close", null);
    }
}
