package dev.apigateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.mock.env.MockEnvironment;

/** When tracing is on, where spans go, and the sampling setting. */
class TracingSettingsTest {

    @Test
    void withoutAnEndpointTracingIsOff() {
        StandardEnvironment environment = environment(Map.of());
        assertThat(environment.getProperty("management.tracing.enabled")).isEqualTo("false");
        assertThat(environment.getProperty("management.otlp.tracing.endpoint")).isNull();
        assertThat(environment.getProperty("spring.autoconfigure.exclude"))
                .contains("tracing.OpenTelemetryTracingAutoConfiguration",
                        "tracing.MicrometerTracingAutoConfiguration", "otlp.OtlpTracingAutoConfiguration");
    }

    @Test
    void otherExclusionsAreKept() {
        StandardEnvironment environment = environment(Map.of("spring.autoconfigure.exclude", "a.B,c.D"));
        assertThat(environment.getProperty("spring.autoconfigure.exclude")).startsWith("a.B,c.D,")
                .contains("OpenTelemetryTracingAutoConfiguration");
    }

    @Test
    void explicitlyOffIsOffWithAnEndpointToo() {
        StandardEnvironment environment = environment(Map.of("management.tracing.enabled", "false",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://tempo:4318"));
        assertThat(environment.getProperty("spring.autoconfigure.exclude")).contains("OtlpTracingAutoConfiguration");
    }

    @Test
    void theOpenTelemetryVariableIsTheCollectorsBaseUrl() {
        StandardEnvironment environment = environment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://tempo:4318/"));
        assertThat(environment.getProperty("management.otlp.tracing.endpoint"))
                .isEqualTo("http://tempo:4318/v1/traces");
        assertThat(environment.getProperty("management.tracing.enabled")).isNull(); // Boot's default: on
        assertThat(environment.getProperty("spring.autoconfigure.exclude")).isNull();
    }

    @Test
    void springBootsOwnEndpointWins() {
        StandardEnvironment environment = environment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://tempo:4318",
                "management.otlp.tracing.endpoint", "http://collector:4318/v1/traces"));
        assertThat(environment.getProperty("management.otlp.tracing.endpoint"))
                .isEqualTo("http://collector:4318/v1/traces");
        assertThat(environment.getProperty("management.tracing.enabled")).isNull();
    }

    @Test
    void anExplicitSettingIsKept() {
        assertThat(environment(Map.of("management.tracing.enabled", "true"))
                .getProperty("management.tracing.enabled")).isEqualTo("true");
    }

    @Test
    void samplingIsAProbabilityFromZeroToOne() {
        TracingConfiguration.TracingOn on = new TracingConfiguration.TracingOn();
        assertThat(on.gatewaySampler(new MockEnvironment()).getDescription()).contains("TraceIdRatioBased{1.000000}");
        assertThat(on.gatewaySampler(new MockEnvironment()
                .withProperty("management.tracing.sampling.probability", "0.1")).getDescription())
                .startsWith("ParentBased{root:TraceIdRatioBased{0.100000}");
        for (String bad : new String[] {"1.5", "-0.1", "often", "NaN"}) {
            assertThatThrownBy(() -> on.gatewaySampler(new MockEnvironment()
                    .withProperty("management.tracing.sampling.probability", bad)))
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("TRACING_SAMPLING_PROBABILITY").hasMessageContaining(bad);
        }
    }

    private static StandardEnvironment environment(Map<String, Object> settings) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", settings));
        new TracingEnvironmentPostProcessor().postProcessEnvironment(environment, null);
        return environment;
    }
}
