package dev.apigateway.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.apigateway.proxy.FaultyUpstream;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Prometheus;
import dev.apigateway.upstream.UpstreamService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A route's optional active health check against real servers on loopback: a failing target out, then back. */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.state-store=memory",
        "gateway.rate-limit.capacity=1000000",
        "gateway.routes-dir=target/test-routes-empty",
        "logging.level.dev.apigateway.events=ERROR"
})
class ActiveHealthCheckHttpTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("gateway.upstream-url", () -> GatewayTestUpstream.get().baseUrl());
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    CamelContext camel;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aTargetFailingItsCheckTakesNoRequestsUntilItPassesAgain() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(false);
        try (UpstreamService good = UpstreamService.start("127.0.0.1", 0, 8);
             FaultyUpstream sick = FaultyUpstream.start((socket, out) -> FaultyUpstream.send(out, healthy.get()
                     ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                     : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))) {
            String target = "target=\"127.0.0.1:" + sick.port() + "\"";
            camel.getCamelContextExtension().getContextPlugin(Model.class).addRouteFromTemplate("checked",
                    "gateway-route", Map.of("path", "/checked", "upstreamUrl", sick.url("http") + "," + good.baseUrl(),
                            "healthCheckPath", "/health", "healthCheckIntervalSeconds", "1",
                            "healthCheckUnhealthyThreshold", "2", "healthCheckHealthyThreshold", "2"));

            assertThat(healthyGauge(target)).as("a target starts healthy").isEqualTo(1.0);
            await().atMost(DEADLINE).until(() -> healthyGauge(target) == 0.0);
            for (int i = 0; i < 20; i++) {
                assertThat(get("/checked/ok").statusCode()).isEqualTo(200);
            }
            assertThat(good.hits("/ok")).isEqualTo(20);
            assertThat(good.hits("/health")).as("checked too").isPositive();
            assertThat(attempts(target)).isZero();

            healthy.set(true);
            await().atMost(DEADLINE).until(() -> healthyGauge(target) == 1.0);
            for (int i = 0; i < 20; i++) {
                assertThat(get("/checked/ok").statusCode()).isEqualTo(200);
            }
            assertThat(attempts(target)).isEqualTo(10.0);
        }
    }

    @Test
    void theCheckIsOffUnlessARouteOrTheSettingsNameAPath() throws Exception {
        String scrape = Prometheus.scrape(managementPort);
        assertThat(scrape).contains("gateway_upstream_target_ejected{route=\"proxy\"");
        assertThat(scrape).doesNotContain("gateway_upstream_target_healthy{route=\"proxy\"");
    }

    /** The gauge's value; fails while there is no such series (0 would read as "unhealthy"). */
    private double healthyGauge(String target) throws Exception {
        String scrape = Prometheus.scrape(managementPort);
        assertThat(scrape).contains("gateway_upstream_target_healthy{route=\"checked\"," + target + "}");
        return Prometheus.value(scrape, "gateway_upstream_target_healthy", "route=\"checked\"", target);
    }

    private double attempts(String target) throws Exception {
        return Prometheus.value(Prometheus.scrape(managementPort), "gateway_upstream_requests_total",
                "route=\"checked\"", target);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
