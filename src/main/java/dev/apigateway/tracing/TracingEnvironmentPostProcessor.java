package dev.apigateway.tracing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Tracing is on exactly when spans have somewhere to go:
 * <ul>
 *   <li>{@code OTEL_EXPORTER_OTLP_ENDPOINT} (the OpenTelemetry SDKs' variable: the collector's base URL) becomes
 *   Spring Boot's {@code management.otlp.tracing.endpoint}, with {@code /v1/traces} appended as the OTLP/HTTP
 *   specification says; a {@code management.otlp.tracing.endpoint} set directly wins;</li>
 *   <li>with neither, {@code management.tracing.enabled=false} (unless set explicitly), and whenever it is false
 *   Spring Boot's OpenTelemetry tracing, Micrometer Tracing and OTLP tracing auto-configurations are excluded: with
 *   the property alone Boot 3.5 still builds the SDK's tracer provider and a batch span processor (only the
 *   exporters and propagators are conditional on it). Then no tracer, sampler, span processor or exporter exists,
 *   and the gateway's own steps are skipped ({@link GatewayTracer#OFF}).</li>
 * </ul>
 */
public class TracingEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String OTEL_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
    /** application.yml's binding of {@link #OTEL_ENDPOINT}. */
    static final String GATEWAY_ENDPOINT = "gateway.otlp-endpoint";
    static final String ENDPOINT = "management.otlp.tracing.endpoint";
    static final String ENABLED = "management.tracing.enabled";
    static final String TRACES_PATH = "/v1/traces";
    static final String EXCLUDE = "spring.autoconfigure.exclude";
    static final List<String> TRACING_AUTO_CONFIGURATIONS = List.of(
            "org.springframework.boot.actuate.autoconfigure.tracing.OpenTelemetryTracingAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.tracing.MicrometerTracingAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.tracing.otlp.OtlpTracingAutoConfiguration",
            // a no-op Micrometer Tracer, and through it Prometheus exemplars asking it for a span on every sample
            "org.springframework.boot.actuate.autoconfigure.tracing.NoopTracerAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.tracing.prometheus.PrometheusExemplarsAutoConfiguration");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> settings = new HashMap<>();
        String endpoint = environment.getProperty(ENDPOINT);
        if (!StringUtils.hasText(endpoint)) {
            String base = environment.getProperty(GATEWAY_ENDPOINT, environment.getProperty(OTEL_ENDPOINT, ""));
            if (StringUtils.hasText(base)) {
                endpoint = tracesUrl(base);
                settings.put(ENDPOINT, endpoint);
            }
        }
        boolean enabled = environment.getProperty(ENABLED, Boolean.class, StringUtils.hasText(endpoint));
        if (!enabled) {
            settings.put(ENABLED, "false");
            String excluded = environment.getProperty(EXCLUDE, "");
            List<String> exclude = new ArrayList<>(StringUtils.commaDelimitedListToSet(excluded));
            exclude.addAll(TRACING_AUTO_CONFIGURATIONS);
            settings.put(EXCLUDE, String.join(",", exclude));
        }
        if (!settings.isEmpty()) {
            environment.getPropertySources().addFirst(new MapPropertySource("gatewayTracing", settings));
        }
    }

    /** {@code http://collector:4318} and {@code http://collector:4318/} both give {@code .../v1/traces}. */
    static String tracesUrl(String base) {
        String url = base.trim();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return url + TRACES_PATH;
    }
}
