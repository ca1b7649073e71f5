package dev.apigateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.AbstractGatewayTest;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * No OTLP endpoint: tracing is off. Nothing of it exists (no tracer, span processor or exporter, no Camel event
 * notifier), and a client's trace context passes to the upstream as it came, like any end-to-end header.
 */
class TracingOffTest extends AbstractGatewayTest {

    @Autowired
    ApplicationContext context;

    @Autowired
    CamelContext camel;

    @Autowired
    GatewayTracer tracer;

    @Test
    void nothingOfTracingIsBuilt() {
        assertThat(tracer).isSameAs(GatewayTracer.OFF);
        assertThat(tracer.on()).isFalse();
        assertThat(context.getBeansOfType(SdkTracerProvider.class)).isEmpty();
        assertThat(context.getBeansOfType(SpanProcessor.class)).isEmpty();
        assertThat(context.getBeansOfType(SpanExporter.class)).isEmpty();
        assertThat(context.getBeansOfType(io.opentelemetry.api.trace.Tracer.class)).isEmpty();
        assertThat(context.getBeansOfType(io.micrometer.tracing.Tracer.class)).isEmpty();
        assertThat(context.getBeansOfType(io.prometheus.metrics.tracer.common.SpanContext.class))
                .as("no exemplar lookup per sample").isEmpty();
        assertThat(camel.getManagementStrategy().getEventNotifiers()).noneMatch(UpstreamSpans.class::isInstance);
    }

    @Test
    void theClientsTraceContextReachesTheUpstreamUnchanged() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(gateway("/proxy/ok"))
                .header("traceparent", traceparent).header("tracestate", "vendor=a").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-received-traceparent")).hasValue(traceparent);
        assertThat(response.headers().firstValue("x-received-tracestate")).hasValue("vendor=a");
    }

    @Test
    void withoutOneTheUpstreamGetsNone() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(gateway("/proxy/ok")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-received-traceparent")).isEmpty();
    }
}
