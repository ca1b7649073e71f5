package dev.apigateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.store.StoreGuard;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Prometheus;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import dev.apigateway.upstream.UpstreamService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A slow store is not a dead one (issue 12.6). Two gateway instances with the production store timeout (50 ms)
 * and fail mode {@code open} share one Redis that keeps stalling for 150 ms (a Lua busy loop blocks the server:
 * every call in flight answers late), while busy-loop threads in this JVM compete with both instances for the
 * two CPUs. Before the fix three late answers in a row put an instance into its backoff, and every request in it
 * was let through uncounted. Now no instance backs off, and the only admissions beyond the limit are the
 * timed-out calls themselves, each one fail-mode decision, counted.
 */
class TwoGatewaysOnASlowRedisTest {

    private static final int CAPACITY = 40;
    private static final String STALL_150_MS = "local t = redis.call('TIME') "
            + "local start = tonumber(t[1]) * 1000000 + tonumber(t[2]) local now = start "
            + "while now - start < 150000 do t = redis.call('TIME') now = tonumber(t[1]) * 1000000 + tonumber(t[2]) end "
            + "return 1";

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
                "gateway.store-timeout=50ms",
                "gateway.rate-limit.fail-mode=open",
                "gateway.upstream-url=" + upstream.baseUrl(),
                "gateway.rate-limit.capacity=" + CAPACITY,
                "gateway.rate-limit.refill-rate=1",
                "gateway.rate-limit.refill-period=3600");
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        redis.close();
    }

    @Test
    void lateAnswersUnderCpuContentionNeverSwitchTheClusterToUnlimited() throws Exception {
        upstream.reset();
        // each instance has an answer from the store in its outage window before the stalls begin
        assertThat(a.get("127.0.0.40", "/proxy/ok").status()).isEqualTo(200);
        assertThat(b.get("127.0.0.40", "/proxy/ok").status()).isEqualTo(200);
        upstream.reset();

        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> busy = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (running.get()) {
                    x += System.nanoTime() % 7; // a busy loop beside the two instances
                }
                if (x == 42) {
                    System.out.print("");
                }
            }, "cpu-contention-" + i);
            t.setDaemon(true);
            t.start();
            busy.add(t);
        }
        AtomicInteger stalls = new AtomicInteger();
        Thread staller = new Thread(() -> {
            while (running.get()) {
                try {
                    // stall first, then pause: a fast run must not finish its requests before the first stall
                    redis.command("EVAL", STALL_150_MS, "0");
                    stalls.incrementAndGet();
                    Thread.sleep(350);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // the test's own connection timed out behind a stall: the next one comes
                }
            }
        }, "redis-staller");
        staller.setDaemon(true);

        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> work = new ArrayList<>();
        try {
            staller.start();
            for (int t = 0; t < 8; t++) {
                GatewayInstance target = t % 2 == 0 ? a : b;
                work.add(clients.submit(() -> {
                    // at least 30 requests each, and on until the store has stalled twice (bounded: 300)
                    for (int i = 0; i < 300 && (i < 30 || stalls.get() < 2); i++) {
                        int status = target.get("127.0.0.41", "/proxy/ok").status();
                        assertThat(status).isIn(200, 429);
                        (status == 200 ? admitted : limited).incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            running.set(false);
            clients.shutdownNow();
            staller.interrupt();
            staller.join(5_000);
            for (Thread t : busy) {
                t.join(5_000);
            }
        }

        double timedOut = 0;
        double failOpen = 0;
        for (GatewayInstance gateway : new GatewayInstance[] {a, b}) {
            String scrape = Prometheus.scrape(gateway.managementPort());
            assertThat(Prometheus.value(scrape, "gateway_store_skipped_total"))
                    .as(() -> "no request was spared the store by a backoff:\n" + java.util.Arrays.stream(scrape.split("\n"))
                            .filter(l -> l.startsWith("gateway_store") || l.startsWith("gateway_rate_limit_decisions"))
                            .collect(java.util.stream.Collectors.joining("\n"))).isZero();
            assertThat(gateway.bean(StoreGuard.class).isAvailable()).isTrue();
            timedOut += Prometheus.value(scrape, "gateway_store_errors_total", "operation=\"rate_limit\"");
            failOpen += Prometheus.value(scrape, "gateway_rate_limit_decisions_total", "outcome=\"fallback_allowed\"");
        }
        assertThat(stalls.get()).as("the store really was slow").isPositive();
        assertThat(timedOut).as("some calls really answered late").isPositive();
        // each late call was one fail-open decision, nothing more
        assertThat(failOpen).isEqualTo(timedOut);
        // the store spent every token (timely or late): at least the limit got through, and beyond it only
        // the requests decided by the fail mode
        assertThat(admitted.get()).isBetween(CAPACITY, CAPACITY + (int) failOpen);
        assertThat(admitted.get() + limited.get()).isGreaterThanOrEqualTo(240);
        assertThat(upstream.hits("/ok")).isEqualTo(admitted.get());
    }
}
