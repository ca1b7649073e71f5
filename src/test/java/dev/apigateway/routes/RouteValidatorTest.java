package dev.apigateway.routes;

import static dev.apigateway.routes.RouteFileTestSupport.templated;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --validate}: offline, the same parser and cross-file checks as the running gateway. */
class RouteValidatorTest {

    private record Result(int exit, String output) {
    }

    private static Result validate(Path dir) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = RouteValidator.validate(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Result(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsTheExamplesInRoutes() {
        Result result = validate(Path.of("routes"));
        assertThat(result.output()).contains("OK orders.yaml (routes: orders)").contains("OK reports.yaml");
        assertThat(result.exit()).isZero();
    }

    @Test
    void acceptsTheConfigMapExample() throws Exception {
        String configMap = Files.readString(Path.of("k8s/base/configmap-routes.yaml"));
        Object data = ((java.util.Map<?, ?>) new org.snakeyaml.engine.v2.api.Load(
                org.snakeyaml.engine.v2.api.LoadSettings.builder().build()).loadFromString(configMap)).get("data");
        Path dir = Files.createTempDirectory("configmap-routes");
        ((java.util.Map<?, ?>) data).forEach((name, content) -> {
            try {
                Files.writeString(dir.resolve(name.toString()), content.toString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Result result = validate(dir);
        assertThat(result.exit()).as(result.output()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bad YAML|'- route: {id: x\n  from: ['|invalid YAML",
            "unknown step|'- route:\n    id: s\n    from:\n      uri: \"platform-http:/s\"\n      steps:\n        - frobnicate: {}\n'|frobnicate",
            "unknown bean|'- route:\n    id: b\n    from:\n      uri: \"platform-http:/b\"\n      steps:\n        - process:\n            ref: noSuchStep\n'|noSuchStep",
            "route without id|'- route:\n    from:\n      uri: \"platform-http:/n\"\n      steps:\n        - log: hi\n'|needs an id",
            "parameters as a map|'- templatedRoute:\n    routeTemplateRef: gateway-route\n    routeId: m\n    parameters:\n      path: /m\n'|must be a list",
            "other top-level item|'- beans:\n    - name: x\n      type: java.lang.Object\n'|not allowed",
    })
    void refusesEachBrokenKindWithANonZeroExit(String kind, String yaml, String reason) throws Exception {
        Path dir = Files.createTempDirectory("validate");
        Files.writeString(dir.resolve("broken.yaml"), yaml.replace("\\n", "\n"));
        Result result = validate(dir);
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output()).contains("REFUSED broken.yaml: ").contains(reason);
    }

    @Test
    void refusesTemplateParameterFaultsAndClashesAcrossFiles(@TempDir Path dir) throws Exception {
        String up = "http://localhost:5001";
        Files.writeString(dir.resolve("a.yaml"), templated("a", "/a", up));
        Files.writeString(dir.resolve("b-unknown.yaml"), templated("b", "/b", up, "capacity", "3"));
        Files.writeString(dir.resolve("c-value.yaml"), templated("c", "/c", up, "rateLimitCapacity", "0"));
        Files.writeString(dir.resolve("d-url.yaml"), templated("d", "/d", "ftp://host"));
        Files.writeString(dir.resolve("e-id.yaml"), templated("a", "/e", up));
        Files.writeString(dir.resolve("f-path.yaml"), templated("f", "/a", up));
        Files.writeString(dir.resolve("g-proxy.yaml"), templated("proxy", "/g", up));
        Files.writeString(dir.resolve("h-reserved.yaml"), templated("h", "/actuator", up));

        Result result = validate(dir);

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output().lines()).containsExactly(
                "OK a.yaml (routes: a)",
                "REFUSED b-unknown.yaml: route b: unknown template parameter 'capacity' (known: path, upstreamUrl,"
                        + " rateLimitCapacity, rateLimitRefillRate, rateLimitRefillPeriodSeconds, rateLimitKeyHeader,"
                        + " rateLimits, rateLimitShadow, rateLimitCosts, rateLimitKey,"
                        + " circuitBreakerFailureThreshold, circuitBreakerWindowSeconds,"
                        + " circuitBreakerResetTimeoutSeconds, upstreamTimeoutSeconds, maxConcurrentRequests,"
                        + " upstreamRetries, healthCheckPath, healthCheckIntervalSeconds, healthCheckHealthyThreshold,"
                        + " healthCheckUnhealthyThreshold)",
                "REFUSED c-value.yaml: route c: parameter rateLimitCapacity must be between 1 and 2147483647, was 0",
                "REFUSED d-url.yaml: route d: parameter upstreamUrl 'ftp://host' must be an absolute http:// or"
                        + " https:// URL with a host",
                "REFUSED e-id.yaml: route id 'a' is already used by file a.yaml",
                "REFUSED f-path.yaml: route f: path /a is already served by file a.yaml (route a)",
                "REFUSED g-proxy.yaml: route id 'proxy' is the gateway's own route",
                "REFUSED h-reserved.yaml: route h: path /actuator belongs to the gateway (/actuator)");
    }

    @Test
    void anEmptyFolderIsValid(@TempDir Path dir) {
        assertThat(validate(dir).exit()).isZero();
    }
}
