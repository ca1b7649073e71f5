package dev.apigateway.circuitbreaker;

import dev.apigateway.testsupport.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Prometheus;
import dev.apigateway.upstream.UpstreamService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The breaker in the proxy route on one instance: real HTTP, the real upstream, time driven by a test clock. */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.state-store=memory",
        "gateway.rate-limit.capacity=100000",
        "gateway.circuit-breaker.failure-threshold=3",
        "gateway.circuit-breaker.window=60",
        "gateway.circuit-breaker.reset-timeout=30",
        "gateway.upstream-timeout=1",
        "gateway.routes-dir=target/test-routes-empty",
        "logging.level.dev.apigateway.events=ERROR"
})
class CircuitBreakerHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MutableClock CLOCK = new MutableClock(java.time.Instant.ofEpochMilli(1_700_000_000_000L));

    @TestConfiguration
    static class DrivenTime {
        @Bean
        Clock testClock() {
            return CLOCK;
        }
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    BreakerRegistry breakers;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    UpstreamService upstream;

    @DynamicPropertySource
    static void upstreamUrl(DynamicPropertyRegistry registry) {
        registry.add("gateway.upstream-url", () -> GatewayTestUpstream.get().baseUrl());
    }

    @BeforeEach
    void closedBreakerAndFreshUpstream() {
        breakers.force("proxy", BreakerState.CLOSED);
        upstream = GatewayTestUpstream.get();
        upstream.reset();
    }

    @Test
    void opensAfterThresholdConsecutiveFailuresAndStopsCallingTheUpstream() throws Exception {
        String before = Prometheus.scrape(managementPort);
        for (int i = 0; i < 3; i++) {
            assertThat(get("/proxy/status/500").statusCode()).as("the upstream's own 500 passes through").isEqualTo(500);
        }
        HttpResponse<String> rejected = get("/proxy/ok");
        assertThat(rejected.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(rejected.body()).get("error").asText()).isEqualTo("circuit_open");
        assertThat(Long.parseLong(rejected.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 30L);
        assertThat(upstream.hits()).isEqualTo(3);

        String after = Prometheus.scrape(managementPort);
        String opened = "gateway_circuit_breaker_transitions_total";
        assertThat(Prometheus.value(after, opened, "route=\"proxy\"", "from=\"closed\"", "to=\"open\"")
                - Prometheus.value(before, opened, "route=\"proxy\"", "from=\"closed\"", "to=\"open\"")).isEqualTo(1.0);
        assertThat(Prometheus.value(after, "gateway_circuit_breaker_state", "route=\"proxy\"", "state=\"open\""))
                .isEqualTo(1.0);
    }

    @Test
    void clientErrorsDoNotCountAndASuccessResetsTheCount() throws Exception {
        get("/proxy/status/500");
        get("/proxy/status/500");
        assertThat(get("/proxy/ok").statusCode()).isEqualTo(200);
        get("/proxy/status/500");
        get("/proxy/status/500");
        for (int i = 0; i < 5; i++) {
            assertThat(get("/proxy/status/404").statusCode()).isEqualTo(404);
        }
        assertThat(get("/proxy/ok").statusCode()).as("never 3 failures in a row").isEqualTo(200);
    }

    @Test
    void timeoutsAndUnreachableUpstreamsCountAsFailures() throws Exception {
        assertThat(get("/proxy/delay/2000").statusCode()).isEqualTo(504);
        assertThat(get("/proxy/delay/2000").statusCode()).isEqualTo(504);
        assertThat(get("/proxy/close").statusCode()).isEqualTo(502);
        long hits = upstream.hits();
        assertThat(get("/proxy/ok").statusCode()).isEqualTo(503);
        assertThat(upstream.hits()).isEqualTo(hits);
    }

    @Test
    void afterTheResetTimeoutExactlyOneProbeReachesTheUpstreamAndItsSuccessCloses() throws Exception {
        trip();
        CLOCK.advance(Duration.ofSeconds(31));
        List<CompletableFuture<HttpResponse<String>>> concurrent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            concurrent.add(http.sendAsync(request("/proxy/delay/400"), HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int open = 0;
        for (CompletableFuture<HttpResponse<String>> f : concurrent) {
            int status = f.get().statusCode();
            ok += status == 200 ? 1 : 0;
            open += status == 503 ? 1 : 0;
        }
        assertThat(ok).isEqualTo(1);
        assertThat(open).isEqualTo(5);
        assertThat(upstream.hits("/delay")).isEqualTo(1);
        assertThat(get("/proxy/ok").statusCode()).as("the probe's success closed it").isEqualTo(200);
    }

    @Test
    void aFailedProbeOpensItForAnotherResetTimeout() throws Exception {
        trip();
        CLOCK.advance(Duration.ofSeconds(31));
        assertThat(get("/proxy/status/500").statusCode()).isEqualTo(500);
        assertThat(get("/proxy/ok").statusCode()).isEqualTo(503);
        CLOCK.advance(Duration.ofSeconds(29));
        assertThat(get("/proxy/ok").statusCode()).isEqualTo(503);
        CLOCK.advance(Duration.ofSeconds(2));
        assertThat(get("/proxy/ok").statusCode()).isEqualTo(200);
        assertThat(get("/proxy/ok").statusCode()).isEqualTo(200);
    }

    private void trip() throws Exception {
        for (int i = 0; i < 3; i++) {
            get("/proxy/status/500");
        }
        assertThat(get("/proxy/ok").statusCode()).isEqualTo(503);
        upstream.reset();
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(15)).build();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path), HttpResponse.BodyHandlers.ofString());
    }
}
