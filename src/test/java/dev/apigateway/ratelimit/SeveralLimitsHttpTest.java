package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Poll;
import dev.apigateway.support.Prometheus;
import dev.apigateway.support.RawHttp;
import dev.apigateway.upstream.UpstreamService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several limits per route through real HTTP, in-process store: {@code RATE_LIMITS} for {@code /proxy}, a YAML route
 * with its own limits and a shadow limit, and a YAML route whose limits are all shadow. Each test is its own client
 * (a distinct loopback source address).
 */
class SeveralLimitsHttpTest {

    @AutoClose
    private static GatewayInstance gateway;
    private static UpstreamService upstream;

    @BeforeAll
    static void start() throws Exception {
        upstream = GatewayTestUpstream.get();
        Path routes = Files.createTempDirectory("several-limits-routes");
        Files.writeString(routes.resolve("quota.yaml"), """
                - templatedRoute:
                    routeTemplateRef: gateway-route
                    routeId: quota
                    parameters:
                      - {name: path, value: /quota}
                      - {name: upstreamUrl, value: "%1$s"}
                      - {name: rateLimits, value: "burst:10:1:3600,trial:2:2:86400:shadow"}
                - templatedRoute:
                    routeTemplateRef: gateway-route
                    routeId: watched
                    parameters:
                      - {name: path, value: /watched}
                      - {name: upstreamUrl, value: "%1$s"}
                      - {name: rateLimits, value: "tiny:1:1:3600"}
                      - {name: rateLimitShadow, value: "true"}
                - templatedRoute:
                    routeTemplateRef: gateway-route
                    routeId: costly
                    parameters:
                      - {name: path, value: /costly}
                      - {name: upstreamUrl, value: "%1$s"}
                      - {name: rateLimits, value: "burst:10:1:3600,daily:100:100:86400"}
                      - {name: rateLimitCosts, value: "POST /echo/**=4,DELETE=10"}
                """.formatted(upstream.baseUrl()));
        gateway = GatewayInstance.start("gateway.state-store=memory", "gateway.routes-dir=" + routes,
                "gateway.rate-limit.limits=burst:3:1:3600,daily:5:5:86400",
                "gateway.upstream-url=" + upstream.baseUrl());
        Poll.until(() -> get("127.0.0.1", "/watched/ok").status(), 200, Duration.ofSeconds(10));
    }

    private static RawHttp.Response get(String from, String path) throws Exception {
        return RawHttp.exchangeFrom(from, gateway.port(), "GET " + path + " HTTP/1.1\nHost: gateway.test\n"
                + "Connection: close", null);
    }

    private static RawHttp.Response call(String from, String method, String path) throws Exception {
        return RawHttp.exchangeFrom(from, gateway.port(), method + " " + path + " HTTP/1.1\nHost: gateway.test\n"
                + "Content-Length: 0\nConnection: close", new byte[0]);
    }

    private static double decisions(String route, String limit, String outcome) throws Exception {
        return Prometheus.value(Prometheus.scrape(gateway.managementPort()), "gateway_rate_limit_decisions_total",
                "route=\"" + route + "\"", "limit=\"" + limit + "\"", "outcome=\"" + outcome + "\"");
    }

    @Test
    void proxyChecksEveryLimitOfRateLimitsAndReportsTheNearestToRefusing() throws Exception {
        double burstLimitedBefore = decisions("proxy", "burst", "limited");
        double dailyAllowedBefore = decisions("proxy", "daily", "allowed");
        for (int i = 0; i < 3; i++) {
            RawHttp.Response ok = get("127.0.0.21", "/proxy/ok");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("RateLimit-Policy")).isEqualTo("\"burst\";q=3;w=10800, \"daily\";q=5;w=86400");
            assertThat(ok.header("RateLimit")).startsWith("\"burst\";r=" + (2 - i) + ";t=");
            assertThat(ok.header("RateLimit-Limit")).isEqualTo("3");
        }
        long forwarded = upstream.hits();
        RawHttp.Response limited = get("127.0.0.21", "/proxy/ok");
        assertThat(upstream.hits()).as("a refused request is not forwarded").isEqualTo(forwarded);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(new String(limited.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"rate_limited\"");
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(3590L, 3600L);
        assertThat(limited.header("RateLimit")).startsWith("\"burst\";r=0;t=");
        assertThat(limited.header("RateLimit-Policy")).contains("\"daily\";q=5;w=86400");

        assertThat(decisions("proxy", "burst", "limited") - burstLimitedBefore).isEqualTo(1);
        // the daily quota admitted all four (the refused one spent nothing from it)
        assertThat(decisions("proxy", "daily", "allowed") - dailyAllowedBefore).isEqualTo(4);
    }

    @Test
    void aShadowLimitOfAYamlRouteIsCountedAndShownButNeverRefuses() throws Exception {
        double before = decisions("quota", "trial", "shadow_limited");
        for (int i = 0; i < 4; i++) {
            RawHttp.Response ok = get("127.0.0.22", "/quota/ok");
            assertThat(ok.status()).as("request %d", i + 1).isEqualTo(200);
            assertThat(ok.header("RateLimit-Policy")).isEqualTo("\"burst\";q=10;w=36000, \"trial\";q=2;w=86400");
            // the headers follow the enforced limit: a client is not told to back off by a limit that only watches
            assertThat(ok.header("RateLimit")).startsWith("\"burst\";r=" + (9 - i) + ";t=");
        }
        assertThat(decisions("quota", "trial", "shadow_limited") - before).isEqualTo(2);
    }

    @Test
    void aRouteWithRateLimitShadowNeverRefusesAndCountsWhatItWouldHave() throws Exception {
        double before = decisions("watched", "tiny", "shadow_limited");
        for (int i = 0; i < 3; i++) {
            RawHttp.Response ok = get("127.0.0.23", "/watched/ok");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("RateLimit")).startsWith("\"tiny\";r=0;t=");
        }
        assertThat(decisions("watched", "tiny", "shadow_limited") - before).isEqualTo(2);
        assertThat(Prometheus.value(Prometheus.scrape(gateway.managementPort()), "gateway_rate_limit_rejected_total",
                "route=\"watched\"")).isZero();
    }

    @Test
    void aCostlyRequestTakesItsCostFromEveryLimitAndIsRefusedWhenOneCannotPayIt() throws Exception {
        RawHttp.Response first = call("127.0.0.24", "POST", "/costly/echo/daily");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("RateLimit")).startsWith("\"burst\";r=6;t=");
        assertThat(call("127.0.0.24", "POST", "/costly/echo/weekly").header("RateLimit"))
                .startsWith("\"burst\";r=2;t=");

        long forwarded = upstream.hits();
        RawHttp.Response refused = call("127.0.0.24", "POST", "/costly/echo/monthly");
        assertThat(refused.status()).isEqualTo(429);
        // 2 tokens left, 4 needed, one back an hour: two hours
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(7190L, 7200L);
        assertThat(upstream.hits()).isEqualTo(forwarded);

        // a request the rules do not name costs one token, and the refused one spent nothing
        RawHttp.Response cheap = call("127.0.0.24", "GET", "/costly/ok");
        assertThat(cheap.status()).isEqualTo(200);
        assertThat(cheap.header("RateLimit")).startsWith("\"burst\";r=1;t=");
        assertThat(call("127.0.0.24", "DELETE", "/costly/echo/daily").status()).isEqualTo(429);
    }

    @Test
    void everyLimitOfEveryRouteIsExportedAtZeroBeforeItsFirstDecision() throws Exception {
        String scrape = Prometheus.scrape(gateway.managementPort());
        assertThat(scrape).contains("gateway_rate_limit_decisions_total{limit=\"daily\",outcome=\"store_unavailable\",route=\"proxy\"} 0.0");
        assertThat(scrape).contains("gateway_rate_limit_decisions_total{limit=\"trial\",outcome=\"fallback_limited\",route=\"quota\"} 0.0");
        assertThat(scrape).doesNotContain("limit=\"default\",outcome=\"allowed\",route=\"quota\"");
    }
}
