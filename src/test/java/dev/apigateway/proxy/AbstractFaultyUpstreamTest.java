package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.circuitbreaker.BreakerRegistry;
import dev.apigateway.observability.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One gateway (one context for every subclass) in front of {@link FaultyUpstreams}: a route per failure, a pool of
 * one upstream connection, a 1 s upstream timeout and a 500 ms connect timeout. Meters and breakers are read from
 * the beans, where they are made, not from an endpoint whose port may move.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.state-store=memory",
        "gateway.upstream-timeout=1s",
        "gateway.upstream-connect-timeout=500ms",
        "gateway.upstream-max-connections=1",
        "logging.level.dev.apigateway.events=ERROR"
})
abstract class AbstractFaultyUpstreamTest {

    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    BreakerRegistry breakers;

    final FaultyUpstreams upstreams = FaultyUpstreams.get();

    @DynamicPropertySource
    static void faultyRoutes(DynamicPropertyRegistry registry) {
        FaultyUpstreams upstreams = FaultyUpstreams.get();
        registry.add("gateway.routes-dir", () -> upstreams.routesDir.toString());
        registry.add("gateway.upstream-url", () -> upstreams.slow.url("http"));
    }

    URI gateway(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway(path)).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code gateway_errors_total{route,error}}. */
    double errors(String route, String code) {
        return GatewayCounts.errors(meters, route, code);
    }

    /** {@code gateway_requests_total{route,status}}. */
    double answered(String route, int status) {
        Counter counter = meters.find(GatewayMetrics.REQUESTS).tag("route", route)
                .tag("status", Integer.toString(status)).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Failures the route's breaker has counted. */
    long breakerFailures(String route) {
        return GatewayCounts.breakerFailures(breakers, route);
    }

    static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
        assertThat(body.get("requestId").asText())
                .isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(body.size()).isEqualTo(3);
    }
}
