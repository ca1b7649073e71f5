package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Poll;
import dev.apigateway.support.RawHttp;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A route keyed by a request header, on a real Redis: the header's value keys the bucket but is never a key name. */
class HeaderKeyRedisTest {

    private static final String TOKEN = "secret-token-7f3a9c";

    // the gateway first, then its Redis
    @AutoClose
    private static GatewayInstance gateway;
    @AutoClose
    private static RedisNode redis;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServers.start();
        Path routes = Files.createTempDirectory("header-key-routes");
        Files.writeString(routes.resolve("keyed.yaml"), """
                - templatedRoute:
                    routeTemplateRef: gateway-route
                    routeId: keyed
                    parameters:
                      - {name: path, value: /keyed}
                      - {name: upstreamUrl, value: "%s"}
                      - {name: rateLimitCapacity, value: "2"}
                      - {name: rateLimitRefillRate, value: "1"}
                      - {name: rateLimitRefillPeriodSeconds, value: "3600"}
                      - {name: rateLimitKeyHeader, value: X-Api-Key}
                """.formatted(GatewayTestUpstream.get().baseUrl()));
        gateway = GatewayInstance.start("gateway.state-store=redis", "spring.data.redis.url=" + redis.uri(),
                "gateway.routes-dir=" + routes, "gateway.upstream-url=" + GatewayTestUpstream.get().baseUrl());
    }

    private static RawHttp.Response call(String from, String key) throws Exception {
        return RawHttp.exchangeFrom(from, gateway.port(), "GET /keyed/ok HTTP/1.1\nHost: gateway.test\n"
                + "X-Api-Key: " + key + "\nConnection: close", null);
    }

    private static List<String> bucketKeys() {
        return ((List<?>) redis.command("KEYS", RateLimitKeys.BUCKET_PREFIX + "*")).stream()
                .map(k -> k instanceof byte[] b ? new String(b) : String.valueOf(k)).toList();
    }

    @Test
    void theKeyValueLimitsItsBucketButRedisHoldsOnlyItsHash() throws Exception {
        Poll.until(() -> call("127.0.0.1", "probe").status(), 200, Duration.ofSeconds(10));
        // the same key from two addresses shares one bucket of 2
        assertThat(call("127.0.0.2", TOKEN).status()).isEqualTo(200);
        assertThat(call("127.0.0.3", TOKEN).status()).isEqualTo(200);
        assertThat(call("127.0.0.4", TOKEN).status()).isEqualTo(429);

        List<String> keys = bucketKeys();
        assertThat(keys).contains(RateLimitKeys.bucketKey("keyed", RateLimitKeys.headerKey(TOKEN)));
        assertThat(keys).noneMatch(k -> k.contains(TOKEN) || k.contains("probe"));
        assertThat(RateLimitKeys.headerKey(TOKEN)).matches("key:[0-9a-f]{32}");
    }

    @Test
    void anOverLongKeyValueIsTakenAsMissingAndKeyedByAddress() throws Exception {
        Poll.until(() -> call("127.0.0.1", "probe").status(), 200, Duration.ofSeconds(10));
        String tooLong = "x".repeat(RateLimitKeys.MAX_HEADER_VALUE_LENGTH + 1);
        // each over-long value rotated is still the same client: its address, limited at 2
        assertThat(call("127.0.0.5", tooLong + "a").status()).isEqualTo(200);
        assertThat(call("127.0.0.5", tooLong + "b").status()).isEqualTo(200);
        assertThat(call("127.0.0.5", tooLong + "c").status()).isEqualTo(429);

        assertThat(bucketKeys()).contains(RateLimitKeys.bucketKey("keyed", "ip:127.0.0.5"))
                .noneMatch(k -> k.contains("xxxx"));
    }
}
