package dev.apigateway.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Poll;
import dev.apigateway.support.RawHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worked example of ROUTES.md as shipped: routes/partners.yaml (a burst limit, a daily quota, a shadow limit, a
 * costly POST, buckets by consumer) with routes/consumers/partners.yaml (two consumers on different plans).
 */
class PartnersExampleTest {

    private static final String TRIAL = "X-API-Key: partner-demo-key-trial";
    private static final String ACME = "X-API-Key: partner-demo-key-acme";

    @AutoClose
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() throws Exception {
        String upstream = GatewayTestUpstream.get().baseUrl();
        Path routes = Files.createTempDirectory("partners-example");
        Files.writeString(routes.resolve("partners.yaml"), Files.readString(Path.of("routes/partners.yaml"))
                .replace("{{env:UPSTREAM_URL:http://localhost:5001}}", upstream));
        gateway = GatewayInstance.start("gateway.state-store=memory", "gateway.routes-dir=" + routes,
                "gateway.consumers-file=routes/consumers/partners.yaml", "gateway.upstream-url=" + upstream);
        Poll.until(() -> call("GET", "/partners/ok", null).status(), 401, Duration.ofSeconds(10));
    }

    private static RawHttp.Response call(String method, String path, String key) throws Exception {
        return RawHttp.exchange(gateway.port(), method + " " + path + " HTTP/1.1\nHost: gateway.test\n"
                + (key == null ? "" : key + "\n") + "Content-Length: 0\nConnection: close", new byte[0]);
    }

    @Test
    void theTrialConsumerHasTheRoutesLimitsAndACostlyPostTakesTen() throws Exception {
        RawHttp.Response first = call("GET", "/partners/ok", TRIAL);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("RateLimit-Policy"))
                .isEqualTo("\"burst\";q=20;w=2, \"daily\";q=10000;w=86400, \"monthly\";q=200000;w=2592000");
        assertThat(first.header("RateLimit")).isEqualTo("\"burst\";r=19;t=1");

        RawHttp.Response post = call("POST", "/partners/echo/report", TRIAL);
        assertThat(post.status()).isEqualTo(200);
        assertThat(post.header("RateLimit")).startsWith("\"burst\";r=9;");
        String echoed = new String(post.body(), StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
        assertThat(echoed).contains("\"x-consumer-username\":[\"trial\"]").doesNotContain("x-api-key");
    }

    @Test
    void acmeHasItsOwnPlanAndNoKeyIs401() throws Exception {
        RawHttp.Response acme = call("GET", "/partners/echo/x", ACME);
        assertThat(acme.status()).isEqualTo(200);
        assertThat(acme.header("RateLimit-Policy")).isEqualTo("\"burst\";q=50;w=2, \"daily\";q=100000;w=86400");
        assertThat(call("GET", "/partners/ok", null).status()).isEqualTo(401);
        assertThat(call("GET", "/partners/ok", "X-API-Key: partner-demo-key-nobody").status()).isEqualTo(401);
    }
}
