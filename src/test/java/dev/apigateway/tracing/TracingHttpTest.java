package dev.apigateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.circuitbreaker.BreakerRegistry;
import dev.apigateway.circuitbreaker.BreakerState;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.tracing.OtlpReceiver.ReceivedSpan;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Tracing on, spans exported over OTLP/HTTP by Spring Boot's exporter to a real receiver on loopback: the spans,
 * their parents and attributes for a proxied request, a 429, a 503 from an open breaker and a 504, and what
 * reached the upstream (the upstream-service echoes the {@code traceparent} it got). Each test is its own client
 * (its own {@code X-Forwarded-For} behind the trusted loopback proxy), so the limits of one do not touch another.
 */
@ExtendWith(OutputCaptureExtension.class)
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.state-store=memory",
        "gateway.rate-limit.capacity=2",
        "gateway.rate-limit.refill-rate=1",
        "gateway.rate-limit.refill-period=3600",
        "gateway.circuit-breaker.failure-threshold=1000",
        "gateway.upstream-timeout=1",
        "gateway.trusted-proxies=127.0.0.1/32",
        "gateway.routes-dir=target/test-routes-empty",
        "management.tracing.enabled=true",
        "management.tracing.opentelemetry.export.schedule-delay=100ms"
})
class TracingHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OtlpReceiver RECEIVER = start();

    @LocalServerPort
    int port;

    @org.springframework.boot.test.web.server.LocalManagementPort
    int managementPort;

    @Autowired
    BreakerRegistry breakers;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @DynamicPropertySource
    static void endpoints(DynamicPropertyRegistry registry) {
        registry.add("gateway.upstream-url", () -> GatewayTestUpstream.get().baseUrl());
        registry.add("management.otlp.tracing.endpoint", () -> RECEIVER.baseUrl() + "/v1/traces");
    }

    @AfterEach
    void breakerClosed() {
        breakers.force("proxy", BreakerState.CLOSED);
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.close();
    }

    @Test
    void anIncomingTraceIsContinuedThroughTheGatewayToTheUpstream() throws Exception {
        String traceId = hex(32);
        String clientSpan = hex(16);
        HttpResponse<String> response = send(request("/proxy/echo/a", "198.51.100.1")
                .header("traceparent", "00-" + traceId + "-" + clientSpan + "-01")
                .header("tracestate", "vendor=abc,other=x"));

        assertThat(response.statusCode()).isEqualTo(200);
        String received = response.headers().firstValue("x-received-traceparent").orElseThrow();
        String[] parts = received.split("-");
        assertThat(parts).hasSize(4);
        assertThat(parts[1]).as("the same trace reaches the upstream").isEqualTo(traceId);
        assertThat(parts[2]).as("with the gateway's span as its parent").isNotEqualTo(clientSpan);
        assertThat(parts[3]).isEqualTo("01");
        assertThat(response.headers().firstValue("x-received-tracestate")).hasValue("vendor=abc,other=x");
        JsonNode echo = JSON.readTree(response.body());
        assertThat(echo.path("headers").path("traceparent")).hasSize(1); // the gateway's, not the client's beside it
        assertThat(response.headers().firstValue("traceparent")).as("not echoed to the client").isEmpty();

        List<ReceivedSpan> spans = awaitSpans(traceId, 2);
        ReceivedSpan server = only(spans, ReceivedSpan.SERVER);
        ReceivedSpan upstream = only(spans, ReceivedSpan.CLIENT);
        assertThat(server.parentSpanId()).isEqualTo(clientSpan);
        assertThat(server.serviceName()).isEqualTo("api-gateway");
        assertThat(server.name()).isEqualTo("GET /proxy/*");
        assertThat(server.attribute("gateway.route.id")).isEqualTo("proxy");
        assertThat(server.attribute("http.request.method")).isEqualTo("GET");
        assertThat(server.attribute("http.route")).isEqualTo("/proxy/*");
        assertThat(server.attribute("http.response.status_code")).isEqualTo("200");
        assertThat(server.attribute("client.address")).isEqualTo("198.51.100.1");
        assertThat(server.attribute("network.peer.address")).isEqualTo("127.0.0.1");
        assertThat(server.attribute("gateway.request.id")).isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(server.attribute("gateway.circuit_breaker.decision")).isEqualTo("permitted");
        assertThat(server.statusCode()).isZero();
        assertThat(server.traceState()).isEqualTo("vendor=abc,other=x");

        assertThat(upstream.parentSpanId()).isEqualTo(server.spanId());
        assertThat(upstream.spanId()).as("the parent the upstream was told").isEqualTo(parts[2]);
        assertThat(upstream.attribute("http.request.method")).isEqualTo("GET");
        assertThat(upstream.attribute("url.full")).isEqualTo(GatewayTestUpstream.get().baseUrl() + "/echo/a");
        assertThat(upstream.attribute("server.address")).isEqualTo("127.0.0.1");
        assertThat(upstream.attribute("http.response.status_code")).isEqualTo("200");
    }

    @Test
    void theUpstreamDurationHistogramLinksToTheTrace() throws Exception {
        assertThat(send(request("/proxy/ok", "198.51.100.7")).statusCode()).isEqualTo(200);

        // exemplars are in the OpenMetrics format, the one Prometheus asks for with exemplar storage on
        HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
                .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        java.util.regex.Pattern exemplar = java.util.regex.Pattern.compile(
                "^gateway_upstream_duration_seconds_bucket\\{route=\"proxy\",.*# \\{span_id=\"([0-9a-f]{16})\","
                        + "trace_id=\"([0-9a-f]{32})\"}.*");
        List<java.util.regex.Matcher> exemplars = scrape.body().lines().map(exemplar::matcher)
                .filter(java.util.regex.Matcher::matches).toList();
        assertThat(exemplars).as("buckets with an exemplar").isNotEmpty();
        for (java.util.regex.Matcher m : exemplars) {
            // (a bucket keeps its exemplar a while: it may be an earlier request's) always a request's server span
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() ->
                    RECEIVER.trace(m.group(2)).stream().anyMatch(span -> span.kind() == ReceivedSpan.SERVER));
            ReceivedSpan server = only(RECEIVER.trace(m.group(2)), ReceivedSpan.SERVER);
            assertThat(server.spanId()).isEqualTo(m.group(1));
        }
    }

    @Test
    void withoutATraceparentTheGatewayStartsATrace() throws Exception {
        HttpResponse<String> response = send(request("/proxy/ok", "198.51.100.2"));

        assertThat(response.statusCode()).isEqualTo(200);
        String[] parts = response.headers().firstValue("x-received-traceparent").orElseThrow().split("-");
        assertThat(parts[1]).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
        List<ReceivedSpan> spans = awaitSpans(parts[1], 2);
        ReceivedSpan server = only(spans, ReceivedSpan.SERVER);
        assertThat(server.parentSpanId()).as("a root span").isEmpty();
        assertThat(only(spans, ReceivedSpan.CLIENT).spanId()).isEqualTo(parts[2]);
        assertThat(response.headers().firstValue("x-received-tracestate")).isEmpty();
    }

    @Test
    void aMalformedTraceparentIsIgnoredAndANewTraceStarts() throws Exception {
        String malformed = "00-" + "z".repeat(32) + "-00f067aa0ba902b7-01";
        HttpResponse<String> response = send(request("/proxy/ok", "198.51.100.3")
                .header("traceparent", malformed)
                .header("tracestate", "vendor=orphan"));

        assertThat(response.statusCode()).isEqualTo(200);
        String received = response.headers().firstValue("x-received-traceparent").orElseThrow();
        assertThat(received).isNotEqualTo(malformed).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        assertThat(response.headers().firstValue("x-received-tracestate"))
                .as("a tracestate belongs to the trace it came with").isEmpty();
        ReceivedSpan server = only(awaitSpans(received.split("-")[1], 2), ReceivedSpan.SERVER);
        assertThat(server.parentSpanId()).isEmpty();
    }

    @Test
    void aRateLimitedRequestIsAServerSpanWithoutAnUpstreamCall() throws Exception {
        String traceId = hex(32);
        String client = "198.51.100.4";
        assertThat(send(request("/proxy/ok", client)).statusCode()).isEqualTo(200);
        assertThat(send(request("/proxy/ok", client)).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = send(request("/proxy/ok", client)
                .header("traceparent", "00-" + traceId + "-" + hex(16) + "-01"));

        assertThat(limited.statusCode()).isEqualTo(429);
        ReceivedSpan server = only(awaitSpans(traceId, 1), ReceivedSpan.SERVER);
        assertThat(server.attribute("http.response.status_code")).isEqualTo("429");
        assertThat(server.attribute("gateway.error.code")).isEqualTo("rate_limited");
        assertThat(server.attribute("client.address")).isEqualTo(client);
        assertThat(server.statusCode()).as("a 4xx is the client's, not the server's error").isZero();
        assertNoUpstreamSpan(traceId);
    }

    @Test
    void anOpenBreakerIsA503SpanWithTheBreakersDecision() throws Exception {
        breakers.force("proxy", BreakerState.OPEN);
        String traceId = hex(32);
        HttpResponse<String> response = send(request("/proxy/ok", "198.51.100.5")
                .header("traceparent", "00-" + traceId + "-" + hex(16) + "-01"));

        assertThat(response.statusCode()).isEqualTo(503);
        ReceivedSpan server = only(awaitSpans(traceId, 1), ReceivedSpan.SERVER);
        assertThat(server.attribute("gateway.circuit_breaker.decision")).isEqualTo("rejected");
        assertThat(server.attribute("gateway.error.code")).isEqualTo("circuit_open");
        assertThat(server.attribute("http.response.status_code")).isEqualTo("503");
        assertThat(server.attribute("error.type")).isEqualTo("503");
        assertThat(server.statusCode()).isEqualTo(ReceivedSpan.STATUS_ERROR);
        breakers.force("proxy", BreakerState.CLOSED);
        assertNoUpstreamSpan(traceId);
    }

    @Test
    void anUpstreamTimeoutIsA504WithAFailedClientSpanAndTheTraceIdInTheLog(CapturedOutput output) throws Exception {
        String traceId = hex(32);
        HttpResponse<String> response = send(request("/proxy/delay/3000", "198.51.100.6")
                .header("traceparent", "00-" + traceId + "-" + hex(16) + "-01"));

        assertThat(response.statusCode()).isEqualTo(504);
        List<ReceivedSpan> spans = awaitSpans(traceId, 2);
        ReceivedSpan server = only(spans, ReceivedSpan.SERVER);
        ReceivedSpan upstream = only(spans, ReceivedSpan.CLIENT);
        assertThat(server.attribute("http.response.status_code")).isEqualTo("504");
        assertThat(server.attribute("gateway.error.code")).isEqualTo("upstream_timeout");
        assertThat(server.statusCode()).isEqualTo(ReceivedSpan.STATUS_ERROR);
        assertThat(upstream.parentSpanId()).isEqualTo(server.spanId());
        assertThat(upstream.statusCode()).isEqualTo(ReceivedSpan.STATUS_ERROR);
        assertThat(upstream.attribute("error.type")).contains("SocketTimeoutException");
        assertThat(upstream.events()).contains("exception");

        // the upstream_timeout event was logged while the request's server span was current
        JsonNode line = logLine(output, "upstream_timeout", traceId);
        assertThat(line.path("span").path("id").asText()).isEqualTo(server.spanId());
        assertThat(line.path("route").asText()).isEqualTo("proxy");
    }

    private static JsonNode logLine(CapturedOutput output, String event, String traceId) throws Exception {
        for (String text : output.getOut().split("\\R")) {
            if (text.startsWith("{") && text.contains(event)) {
                JsonNode line = JSON.readTree(text);
                // ECS's trace.id and span.id, nested the way Spring Boot's ECS format writes dotted names
                if (traceId.equals(line.path("trace").path("id").asText())) {
                    return line;
                }
            }
        }
        throw new AssertionError("no " + event + " line with trace.id " + traceId + " in:\n" + output.getOut());
    }

    private void assertNoUpstreamSpan(String traceId) throws Exception {
        // a later request's spans come in the same or a later export: once they are in, this trace is complete
        HttpResponse<String> later = send(request("/proxy/ok", "198.51.100.99"));
        String laterTrace = later.headers().firstValue("x-received-traceparent").orElseThrow().split("-")[1];
        awaitSpans(laterTrace, 2);
        assertThat(RECEIVER.trace(traceId)).extracting(ReceivedSpan::kind).containsOnly(ReceivedSpan.SERVER);
    }

    private static List<ReceivedSpan> awaitSpans(String traceId, int count) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    assertThat(RECEIVER.failures()).isEmpty();
                    return RECEIVER.trace(traceId).size() >= count;
                });
        return RECEIVER.trace(traceId);
    }

    private static ReceivedSpan only(List<ReceivedSpan> spans, int kind) {
        List<ReceivedSpan> ofKind = spans.stream().filter(s -> s.kind() == kind).toList();
        assertThat(ofKind).as("spans of kind %s in %s", kind, spans).hasSize(1);
        return ofKind.get(0);
    }

    private HttpRequest.Builder request(String path, String client) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .header("X-Forwarded-For", client);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String hex(int digits) {
        StringBuilder out = new StringBuilder(digits);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < digits; i++) {
            out.append(Character.forDigit(random.nextInt(16), 16));
        }
        return out.toString();
    }

    private static OtlpReceiver start() {
        try {
            return new OtlpReceiver();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
