package dev.apigateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.RawHttp;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Readiness hits do not each PING Redis: the store's health is kept about a second (counted by Redis itself). */
class StoreHealthCacheTest {

    private static final Pattern PING_CALLS = Pattern.compile("cmdstat_ping:calls=(\\d+)");

    private static RedisNode redis;
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        redis = RedisServers.start();
        gateway = GatewayInstance.start(
                "gateway.state-store=redis",
                "spring.data.redis.host=" + redis.host(),
                "spring.data.redis.port=" + redis.port(),
                "gateway.upstream-url=" + GatewayTestUpstream.get().baseUrl());
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
    void manyReadinessHitsCostAboutOnePingASecond() throws Exception {
        assertThat(RawHttp.exchange(gateway.port(), request("/health/readiness")).status()).isEqualTo(200);
        redis.command("CONFIG", "RESETSTAT");
        long started = System.nanoTime();
        int hits = 0;
        for (int i = 0; i < 40; i++) {
            assertThat(RawHttp.exchange(gateway.port(), request("/health/readiness")).status()).isEqualTo(200);
            assertThat(RawHttp.exchange(gateway.managementPort(), request("/actuator/health/readiness")).status())
                    .isEqualTo(200);
            hits += 2;
        }
        long elapsedSeconds = (System.nanoTime() - started) / 1_000_000_000L;
        long pings = pings();
        assertThat(pings).as("%d readiness hits over %d s", hits, elapsedSeconds)
                .isLessThanOrEqualTo(elapsedSeconds + 1);
    }

    private static long pings() {
        Matcher m = PING_CALLS.matcher(redis.command("INFO", "commandstats").toString());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String request(String path) {
        return "GET " + path + " HTTP/1.1\nHost: gateway.test\nConnection: close";
    }
}
