package dev.apigateway.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apigateway.config.GatewayProperties;
import dev.apigateway.routes.GatewayRouteParameters;
import dev.apigateway.routes.RouteSettings;
import dev.apigateway.routes.RouteSettingsRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The template's upstream parameters: targets, retries switch, active health check. */
class HealthCheckParametersTest {

    private final GatewayProperties properties = new GatewayProperties();

    private RouteSettings parse(String... more) {
        Map<String, Object> params = new HashMap<>(Map.of("path", "/r", "upstreamUrl",
                "http://a:1;weight=2,http://b:2"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        RouteSettingsRegistry registry = new RouteSettingsRegistry(properties);
        return GatewayRouteParameters.parse("r", params, registry.defaultsFor("r"), registry.singleLimitDefaults())
                .settings();
    }

    @Test
    void offWithRetriesOnByDefaultAndTheSettingsGiveTheDefaults() {
        UpstreamTargets upstream = parse().upstream();
        assertThat(upstream.size()).isEqualTo(2);
        assertThat(upstream.retries()).isTrue();
        assertThat(upstream.healthCheck().enabled()).isFalse();

        properties.getUpstreamHealthCheck().setInterval(Duration.ofSeconds(7));
        assertThat(parse("healthCheckPath", "/health").upstream().healthCheck())
                .isEqualTo(new ActiveHealthCheck("/health", Duration.ofSeconds(7), 2, 3));
    }

    @Test
    void aRouteSetsItsOwn() {
        UpstreamTargets upstream = parse("upstreamRetries", "false", "healthCheckPath", "/status/ready",
                "healthCheckIntervalSeconds", "5", "healthCheckHealthyThreshold", "1",
                "healthCheckUnhealthyThreshold", "4").upstream();
        assertThat(upstream.retries()).isFalse();
        assertThat(upstream.healthCheck()).isEqualTo(new ActiveHealthCheck("/status/ready", Duration.ofSeconds(5), 1, 4));
        RouteSettings settings = parse("healthCheckPath", "/h");
        assertThat(GatewayRouteParameters.templateParameters(new GatewayRouteParameters.Spec("r", "/r", settings)))
                .containsEntry("upstreamUrl", "http://a:1;weight=2,http://b:2")
                .containsEntry("upstreamRetries", "true").containsEntry("healthCheckPath", "/h");
    }

    @Test
    void badValuesNameTheParameter() {
        assertThatThrownBy(() -> parse("upstreamRetries", "maybe"))
                .hasMessage("parameter upstreamRetries must be true or false, was 'maybe'");
        assertThatThrownBy(() -> parse("healthCheckPath", "health"))
                .hasMessage("parameter healthCheckPath: health check path 'health' must start with / and hold only URL path characters");
        assertThatThrownBy(() -> parse("healthCheckPath", "/h", "healthCheckIntervalSeconds", "0"))
                .hasMessage("parameter healthCheckIntervalSeconds must be between 1 and 3600, was 0");
        assertThatThrownBy(() -> parse("upstreamUrl", "http://a:1,ftp://b"))
                .hasMessage("parameter upstreamUrl 'http://a:1,ftp://b' must be an absolute http:// or https:// URL with a host (target 'ftp://b')");
    }
}
