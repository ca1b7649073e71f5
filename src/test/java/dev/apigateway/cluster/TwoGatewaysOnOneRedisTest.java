package dev.apigateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.store.InstanceRegistry;
import dev.apigateway.store.StoreGuard;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Poll;
import dev.apigateway.support.Prometheus;
import dev.apigateway.support.RawHttp;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import dev.apigateway.upstream.UpstreamService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;

/**
 * Two whole gateway instances (separate application contexts, ports and Redis connections) on one real Redis, in
 * front of one real upstream. Each test is its own client (its own loopback source address) and, where the breaker
 * matters, resets it first.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoGatewaysOnOneRedisTest {

    private static final int CAPACITY = 40;

    private static RedisNode redis;
    private static UpstreamService upstream;
    private static GatewayInstance a;
    private static GatewayInstance b;

    @BeforeAll
    static void start() {
        redis = RedisServers.start();
        upstream = GatewayTestUpstream.get();
        a = gateway();
        b = gateway();
    }

    private static GatewayInstance gateway() {
        return GatewayInstance.start(
                "spring.data.redis.host=" + redis.host(),
                "spring.data.redis.port=" + redis.port(),
                "gateway.state-store=redis",
                // generous: a loaded 2-core CI machine must not turn a healthy store into a fallback decision
                "gateway.store-timeout=2s",
                "gateway.upstream-url=" + upstream.baseUrl(),
                "gateway.upstream-timeout=1",
                "gateway.rate-limit.capacity=" + CAPACITY,
                "gateway.rate-limit.refill-rate=1",
                "gateway.rate-limit.refill-period=3600",
                "gateway.circuit-breaker.failure-threshold=3",
                "gateway.circuit-breaker.reset-timeout=2");
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        redis.close();
    }

    @BeforeEach
    void reset() throws Exception {
        if (!redis.isRunning()) {
            redis.restart();
        }
        // an instance that saw Redis go away uses it again once its store guard's probe gets an answer
        awaitStatus(() -> a.bean(StoreGuard.class).isAvailable() && b.bean(StoreGuard.class).isAvailable() ? 1 : 0, 1,
                Duration.ofSeconds(20));
        a.post("/actuator/circuitbreakers/proxy", "{\"action\":\"close\"}");
        upstream.reset();
    }

    @Test
    void theLimitIsExactAcrossInstancesHammeredConcurrently() throws Exception {
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            GatewayInstance target = t % 2 == 0 ? a : b;
            work.add(pool.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    int status = target.get("127.0.0.30", "/proxy/ok").status();
                    (status == 200 ? admitted : limited).incrementAndGet();
                    assertThat(status).isIn(200, 429);
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
        // refill is one token an hour: over the few seconds of the test the limit is the capacity, exactly
        assertThat(admitted.get()).isEqualTo(CAPACITY);
        assertThat(limited.get()).isEqualTo(200 - CAPACITY);
        assertThat(upstream.hits("/ok")).isEqualTo(CAPACITY);
    }

    @Test
    void failuresOnBothInstancesAddUpAndTheOtherInstanceStopsCallingTheUpstream() throws Exception {
        assertThat(a.get("127.0.0.31", "/proxy/status/500").status()).isEqualTo(500);
        assertThat(b.get("127.0.0.31", "/proxy/status/500").status()).isEqualTo(500);
        assertThat(a.get("127.0.0.31", "/proxy/status/500").status()).isEqualTo(500);
        // A opened it; B learns at once through pub/sub (polled with a deadline, never a fixed sleep)
        b.awaitBreakerOpen("proxy");
        RawHttp.Response rejected = b.get("127.0.0.31", "/proxy/ok");
        assertThat(rejected.status()).isEqualTo(503);
        assertThat(rejected.bodyText()).contains("\"circuit_open\"");
        assertThat(Long.parseLong(rejected.header("Retry-After"))).isBetween(1L, 2L);
        assertThat(upstream.hits("/ok")).isZero();
    }

    @Test
    void afterTheResetTimeoutExactlyOneRequestInTheClusterReachesTheUpstream() throws Exception {
        for (int i = 0; i < 3; i++) {
            (i % 2 == 0 ? a : b).get("127.0.0.32", "/proxy/status/500");
        }
        a.awaitBreakerOpen("proxy");
        b.awaitBreakerOpen("proxy");
        upstream.reset();
        // the reset timeout runs on Redis's clock (this machine's): wait it out, polling
        String view = a.get("127.0.0.32", "/actuator/circuitbreakers/proxy").bodyText();
        java.time.Instant openedUntil = java.time.Instant.parse(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(view).get("openedUntil").asText());
        awaitStatus(() -> java.time.Instant.now().isAfter(openedUntil.plusMillis(50)) ? 1 : 0, 1, Duration.ofSeconds(5));

        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            GatewayInstance target = i % 2 == 0 ? a : b;
            calls.add(pool.submit(() -> target.get("127.0.0.32", "/proxy/delay/500").status()));
        }
        int ok = 0;
        int open = 0;
        for (Future<Integer> call : calls) {
            int status = call.get();
            ok += status == 200 ? 1 : 0;
            open += status == 503 ? 1 : 0;
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(1);
        assertThat(open).isEqualTo(7);
        assertThat(upstream.hits("/delay")).isEqualTo(1);
        // the probe's success closed it everywhere
        awaitStatus(() -> b.get("127.0.0.32", "/proxy/ok").status(), 200);
        assertThat(a.get("127.0.0.32", "/proxy/ok").status()).isEqualTo(200);
    }

    @Test
    void anOperatorForcesTheBreakerOpenAndClosedForTheWholeCluster() throws Exception {
        RawHttp.Response forced = a.post("/actuator/circuitbreakers/proxy", "{\"action\":\"open\"}");
        assertThat(forced.status()).isEqualTo(200);
        // B reads the shared state on its first request for the route, or hears of the change through pub/sub
        awaitStatus(() -> b.get("127.0.0.33", "/proxy/ok").status(), 503);
        assertThat(a.get("127.0.0.33", "/proxy/ok").status()).isEqualTo(503);
        assertThat(upstream.hits()).isZero();

        b.post("/actuator/circuitbreakers/proxy", "{\"action\":\"close\"}");
        awaitStatus(() -> a.get("127.0.0.33", "/proxy/ok").status(), 200);
        assertThat(b.get("127.0.0.33", "/proxy/ok").status()).isEqualTo(200);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void withRedisKilledEachInstanceLimitsAtItsShareAndRecoversWhenRedisReturns() throws Exception {
        // both instances have announced themselves and each has counted the other
        InstanceRegistry instances = a.bean(InstanceRegistry.class);
        awaitStatus(() -> {
            instances.heartbeat();
            return instances.liveInstances();
        }, 2);
        double skippedBefore = Prometheus.value(Prometheus.scrape(a.managementPort()), "gateway_store_skipped_total");
        redis.kill();
        int admitted = 0;
        for (int i = 0; i < CAPACITY; i++) {
            int status = a.get("127.0.0.34", "/proxy/ok").status();
            assertThat(status).isIn(200, 429);
            admitted += status == 200 ? 1 : 0;
        }
        // fail mode local: this instance's share is the capacity divided by the two live instances
        assertThat(admitted).isEqualTo(CAPACITY / 2);
        String scrape = Prometheus.scrape(a.managementPort());
        assertThat(Prometheus.value(scrape, "gateway_rate_limit_decisions_total", "outcome=\"fallback_allowed\""))
                .isGreaterThanOrEqualTo(CAPACITY / 2.0);
        assertThat(Prometheus.value(scrape, "gateway_rate_limit_decisions_total", "outcome=\"fallback_limited\""))
                .isGreaterThanOrEqualTo(CAPACITY / 2.0);
        // after the first few errors the store is not even asked: requests cost no store timeout
        assertThat(Prometheus.value(scrape, "gateway_store_skipped_total") - skippedBefore)
                .as(() -> java.util.Arrays.stream(scrape.split("\n")).filter(l -> l.startsWith("gateway_store"))
                        .collect(java.util.stream.Collectors.joining("\n")))
                .isGreaterThan(CAPACITY / 2.0);

        // the local breaker still protects the upstream
        for (int i = 0; i < 3; i++) {
            a.get("127.0.0.35", "/proxy/status/500");
        }
        assertThat(a.get("127.0.0.35", "/proxy/ok").status()).isEqualTo(503);

        redis.restart();
        // back on Redis by itself: a new client's bucket appears in Redis again
        awaitStatus(() -> {
            a.get("127.0.0.36", "/proxy/status/204");
            return redis.command("EXISTS", "api-gateway:rate-limit:{proxy:ip:127.0.0.36}").toString().trim().equals("1") ? 1 : 0;
        }, 1, Duration.ofSeconds(20));
    }

    private static void awaitStatus(Poll.IntCall call, int expected) throws Exception {
        Poll.until(call, expected, Duration.ofSeconds(10));
    }

    private static void awaitStatus(Poll.IntCall call, int expected, Duration within) throws Exception {
        Poll.until(call, expected, within);
    }
}
