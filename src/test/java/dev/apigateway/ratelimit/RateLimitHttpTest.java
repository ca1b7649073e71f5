package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Prometheus;
import dev.apigateway.support.RawHttp;
import dev.apigateway.upstream.UpstreamService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The limiter in the proxy route, in-process store, real HTTP. Each test is its own client: a distinct loopback
 * source address, or distinct forwarded clients behind the trusted proxy 127.0.0.2.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.state-store=memory",
        "gateway.rate-limit.capacity=5",
        "gateway.rate-limit.refill-rate=1",
        "gateway.rate-limit.refill-period=3600",
        "gateway.trusted-proxies=127.0.0.2/32",
        "gateway.routes-dir=target/test-routes-empty"
})
class RateLimitHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    UpstreamService upstream;

    @DynamicPropertySource
    static void upstreamUrl(DynamicPropertyRegistry registry) {
        registry.add("gateway.upstream-url", () -> GatewayTestUpstream.get().baseUrl());
    }

    @BeforeEach
    void reset() {
        upstream = GatewayTestUpstream.get();
        upstream.reset();
    }

    @Test
    void aBurstOfCapacityPassesAndTheNextIs429WithRetryAfterAndRateLimitHeaders() throws Exception {
        double rejectedBefore = Prometheus.value(Prometheus.scrape(managementPort), "gateway_rate_limit_rejected_total",
                "route=\"proxy\"");
        for (int i = 0; i < 5; i++) {
            RawHttp.Response ok = get("127.0.0.10", "/proxy/ok", null);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("RateLimit-Limit")).isEqualTo("5");
            assertThat(ok.header("RateLimit-Remaining")).isEqualTo(String.valueOf(4 - i));
            assertThat(ok.header("RateLimit-Policy")).isEqualTo("\"default\";q=5;w=18000");
            assertThat(ok.header("RateLimit")).startsWith("\"default\";r=" + (4 - i) + ";t=");
        }
        for (int i = 0; i < 3; i++) {
            RawHttp.Response limited = get("127.0.0.10", "/proxy/ok", null);
            assertThat(limited.status()).isEqualTo(429);
            JsonNode body = JSON.readTree(limited.body());
            assertThat(body.get("error").asText()).isEqualTo("rate_limited");
            assertThat(body.get("requestId").asText()).isEqualTo(limited.header("X-Request-Id"));
            assertThat(limited.header("Content-Type")).startsWith("application/json");
            // one token comes back every hour: that is the wait, in whole seconds
            assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(3590L, 3600L);
            assertThat(limited.header("RateLimit-Remaining")).isEqualTo("0");
            assertThat(limited.header("RateLimit")).startsWith("\"default\";r=0;t=");
            assertThat(Long.parseLong(limited.header("RateLimit-Reset"))).isBetween(17990L, 18000L);
        }
        assertThat(upstream.hits()).as("a 429 never reaches the upstream").isEqualTo(5);
        double rejectedAfter = Prometheus.value(Prometheus.scrape(managementPort), "gateway_rate_limit_rejected_total",
                "route=\"proxy\"");
        assertThat(rejectedAfter - rejectedBefore).isEqualTo(3.0);
    }

    @Test
    void anUpstreamErrorStillCarriesTheRateLimitHeaders() throws Exception {
        RawHttp.Response response = get("127.0.0.11", "/proxy/status/503", null);
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.header("RateLimit-Remaining")).isEqualTo("4");
    }

    @Test
    void aForgedForwardedForDoesNotGiveAClientANewBucket() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(get("127.0.0.12", "/proxy/ok", "198.51.100." + i).status()).isEqualTo(200);
        }
        assertThat(get("127.0.0.12", "/proxy/ok", "198.51.100.99").status()).isEqualTo(429);
        assertThat(get("127.0.0.12", "/proxy/ok", null).status()).isEqualTo(429);
    }

    @Test
    void behindATrustedProxyEachForwardedClientHasItsOwnBucket() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(get("127.0.0.2", "/proxy/ok", "198.51.100.7").status()).isEqualTo(200);
        }
        assertThat(get("127.0.0.2", "/proxy/ok", "198.51.100.7").status()).isEqualTo(429);
        // another client behind the same proxy; the leftmost entry is the client's own claim and is not believed
        assertThat(get("127.0.0.2", "/proxy/ok", "198.51.100.7, 198.51.100.8").status()).isEqualTo(200);
        assertThat(get("127.0.0.2", "/proxy/ok", "198.51.100.8").status()).isEqualTo(200);
        // a chain of trusted hops is walked from the right: the client is the rightmost untrusted address
        assertThat(get("127.0.0.2", "/proxy/ok", "198.51.100.7, 127.0.0.2").status()).isEqualTo(429);
    }

    @Test
    void healthAndActuatorAreNeverLimited() throws Exception {
        for (int i = 0; i < 12; i++) {
            assertThat(get("127.0.0.13", "/health", null).status()).isEqualTo(200);
            assertThat(RawHttp.exchangeFrom("127.0.0.13", managementPort,
                    "GET /actuator/health HTTP/1.1\nHost: gateway.test\nConnection: close", null).status())
                    .isEqualTo(200);
        }
        RawHttp.Response proxied = get("127.0.0.13", "/proxy/ok", null);
        assertThat(proxied.status()).isEqualTo(200);
        assertThat(proxied.header("RateLimit-Remaining")).isEqualTo("4");
    }

    private RawHttp.Response get(String from, String path, String forwardedFor) throws Exception {
        String head = "GET " + path + " HTTP/1.1\nHost: gateway.test\nConnection: close"
                + (forwardedFor != null ? "\nX-Forwarded-For: " + forwardedFor : "");
        return RawHttp.exchangeFrom(from, port, head, null);
    }
}
