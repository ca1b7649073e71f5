package dev.apigateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import dev.apigateway.tracing.OtlpReceiver.ReceivedSpan;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tracing on the way an operator turns it on ({@code OTEL_EXPORTER_OTLP_ENDPOINT}), with Redis as the shared
 * store: the limiter's and the breaker's store calls are client spans inside the request's server span.
 */
class TracingRedisTest {

    // the gateway first, then its Redis and the receiver
    @AutoClose
    private static GatewayInstance gateway;
    @AutoClose
    private static RedisNode redis;
    @AutoClose
    private static OtlpReceiver receiver;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServers.start();
        receiver = new OtlpReceiver();
        gateway = GatewayInstance.start("gateway.state-store=redis", "spring.data.redis.url=" + redis.uri(),
                "gateway.upstream-url=" + GatewayTestUpstream.get().baseUrl(),
                "OTEL_EXPORTER_OTLP_ENDPOINT=" + receiver.baseUrl(),
                "management.tracing.opentelemetry.export.schedule-delay=100ms");
    }

    @Test
    void theStoreCallsAreSpansOfTheRequestsTrace() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.port() + "/proxy/ok"))
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() ->
                receiver.trace(traceId).stream().anyMatch(s -> "rate_limit".equals(s.attribute("gateway.store.operation")))
                        && receiver.trace(traceId).stream().anyMatch(s -> s.kind() == ReceivedSpan.SERVER));
        List<ReceivedSpan> spans = receiver.trace(traceId);
        ReceivedSpan server = spans.stream().filter(s -> s.kind() == ReceivedSpan.SERVER).findFirst().orElseThrow();
        ReceivedSpan limiter = spans.stream()
                .filter(s -> "rate_limit".equals(s.attribute("gateway.store.operation"))).findFirst().orElseThrow();
        assertThat(limiter.kind()).isEqualTo(ReceivedSpan.CLIENT);
        assertThat(limiter.name()).isEqualTo("redis rate_limit");
        assertThat(limiter.attribute("db.system.name")).isEqualTo("redis");
        assertThat(limiter.parentSpanId()).isEqualTo(server.spanId());
        assertThat(limiter.statusCode()).isZero();
        assertThat(spans).filteredOn(s -> s.attribute("gateway.store.operation") != null)
                .as("every store call of the request is inside its server span")
                .allMatch(s -> s.parentSpanId().equals(server.spanId()));
        assertThat(receiver.failures()).isEmpty();
    }
}
