package dev.apigateway.tracing;

import io.micrometer.tracing.otel.bridge.Slf4JEventListener;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wiring of the gateway's tracing on top of Spring Boot's OpenTelemetry auto-configuration (which builds the SDK,
 * the W3C propagator, the batch span processor and the OTLP exporter when {@code management.otlp.tracing.endpoint}
 * is set). Off ({@link GatewayTracer#OFF}) when {@code management.tracing.enabled} is false, which
 * {@link TracingEnvironmentPostProcessor} makes it without an endpoint.
 */
@Configuration(proxyBeanMethods = false)
public class TracingConfiguration {

    static final String ENABLED = "management.tracing.enabled";
    static final String PROBABILITY = "management.tracing.sampling.probability";

    @Bean
    GatewayTracer gatewayTracer(Environment environment, ObjectProvider<Tracer> tracer,
                                ObjectProvider<ContextPropagators> propagators) {
        if (!environment.getProperty(ENABLED, Boolean.class, true)) {
            return GatewayTracer.OFF;
        }
        ContextPropagators context = propagators.getIfAvailable();
        Tracer otel = tracer.getIfAvailable();
        return otel == null || context == null ? GatewayTracer.OFF
                : new GatewayTracer(otel, context.getTextMapPropagator());
    }

    /** The log context's keys are ECS's ({@code trace.id}, {@code span.id}), not Micrometer's default camelCase. */
    @Bean
    Slf4JEventListener gatewaySlf4JEventListener() {
        return new Slf4JEventListener("trace.id", "span.id");
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = ENABLED, havingValue = "true", matchIfMissing = true)
    static class TracingOn {

        @Bean
        UpstreamSpans gatewayUpstreamSpans() {
            return new UpstreamSpans();
        }

        /**
         * Spring Boot's sampler (a client's sampled flag is followed, a new trace is kept with the probability),
         * with the value checked: the SDK's own refusal of 1.5 would not name the setting.
         */
        @Bean
        Sampler gatewaySampler(Environment environment) {
            String value = environment.getProperty(PROBABILITY, "1.0");
            double probability;
            try {
                probability = Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                probability = Double.NaN;
            }
            if (!(probability >= 0.0 && probability <= 1.0)) {
                throw new InvalidConfigurationPropertyValueException("TRACING_SAMPLING_PROBABILITY (" + PROBABILITY
                        + ")", value, "must be a number from 0.0 to 1.0");
            }
            return Sampler.parentBased(Sampler.traceIdRatioBased(probability));
        }
    }
}
