package dev.apigateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apigateway.GatewayApplication;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A bad setting stops the start with one line naming the environment variable and the value. */
@ExtendWith(OutputCaptureExtension.class)
class SettingsValidationTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "RATE_LIMIT_CAPACITY|-1|Invalid setting RATE_LIMIT_CAPACITY (gateway.rate-limit.capacity) = '-1': must be greater than or equal to 1",
            "UPSTREAM_URL|not a url|Invalid setting UPSTREAM_URL (gateway.upstream-url) = 'not a url':",
            "UPSTREAM_URL|ftp://host/x|Invalid setting UPSTREAM_URL (gateway.upstream-url) = 'ftp://host/x': must be an absolute http:// or https:// URL with a host",
            "UPSTREAM_URL|http://a:1;weight=0,http://b|Invalid setting UPSTREAM_URL (gateway.upstream-url) = 'http://a:1;weight=0,http://b': must have a weight between 1 and 1000 (target 'http://a:1;weight=0')",
            "UPSTREAM_EJECTION_SECONDS|0|Invalid setting UPSTREAM_EJECTION_SECONDS (gateway.upstream-ejection-time) = '0': must be at least 1 second",
            "UPSTREAM_HEALTH_CHECK_PATH|health|Invalid setting UPSTREAM_HEALTH_CHECK_PATH (gateway.upstream-health-check.path) = 'health': health check path 'health' must start with / and hold only URL path characters",
            "STATE_STORE|bogus|Invalid setting STATE_STORE (gateway.state-store) = 'bogus': must be one of auto, redis, memory",
            "RATE_LIMIT_FAIL_MODE|sometimes|Invalid setting RATE_LIMIT_FAIL_MODE (gateway.rate-limit.fail-mode) = 'sometimes': must be one of local, open, closed",
            "TRUSTED_PROXIES|10.0.0.0/40|Invalid setting TRUSTED_PROXIES (gateway.trusted-proxies) = '10.0.0.0/40': TRUSTED_PROXIES entry '10.0.0.0/40' has a prefix length outside 0..32",
            "UPSTREAM_TIMEOUT|soon|Invalid setting UPSTREAM_TIMEOUT (gateway.upstream-timeout) = 'soon':",
            "CIRCUIT_BREAKER_FAILURE_THRESHOLD|0|Invalid setting CIRCUIT_BREAKER_FAILURE_THRESHOLD (gateway.circuit-breaker.failure-threshold) = '0': must be greater than or equal to 1",
            "MAX_REQUEST_BODY_BYTES|-5|Invalid setting MAX_REQUEST_BODY_BYTES (gateway.max-request-body-bytes) = '-5': must be greater than or equal to 0",
            "ROUTES_ALLOWED_COMPONENTS|http,Bad Name|Invalid setting ROUTES_ALLOWED_COMPONENTS (gateway.routes-allowed-components) = 'http,Bad Name': 'Bad Name' is not a component scheme",
            "ROUTE_MAX_CONCURRENT_REQUESTS|0|Invalid setting ROUTE_MAX_CONCURRENT_REQUESTS (gateway.max-concurrent-requests-per-route) = '0': must be greater than or equal to 1",
            "REQUEST_DEADLINE_SECONDS|0|Invalid setting REQUEST_DEADLINE_SECONDS (gateway.request-deadline) = '0': must be at least 1 second",
            "REQUEST_BODY_MIN_BYTES_PER_SECOND|-1|Invalid setting REQUEST_BODY_MIN_BYTES_PER_SECOND (gateway.request-body-min-bytes-per-second) = '-1': must be greater than or equal to 0",
            "RATE_LIMITS|burst:20:10|Invalid setting RATE_LIMITS (gateway.rate-limit.limits) = 'burst:20:10': limit 'burst:20:10' must be name:capacity:refill:periodSeconds, optionally followed by :shadow",
            "RATE_LIMITS|burst:20:10:1,burst:5:5:60|Invalid setting RATE_LIMITS (gateway.rate-limit.limits) = 'burst:20:10:1,burst:5:5:60': limit name 'burst' is given twice",
            "RATE_LIMIT_COSTS|POST=lots|Invalid setting RATE_LIMIT_COSTS (gateway.rate-limit.costs) = 'POST=lots': cost rule 'POST=lots': cost 'lots' is not a whole number",
            "RATE_LIMIT_COSTS|POST /reports/**=500|Invalid setting RATE_LIMIT_COSTS (gateway.rate-limit.costs) = 'POST /reports/**=500': cost rule 'POST /reports/**=500' costs more than limit 'default' holds (capacity 100): such a request could never pass",
            "RATE_LIMIT_KEY|cookie|Invalid setting RATE_LIMIT_KEY (gateway.rate-limit.key) = 'cookie': 'cookie' must be ip, header:NAME (a header name) or consumer",
            "RATE_LIMIT_KEY|consumer|Invalid setting RATE_LIMIT_KEY (gateway.rate-limit.key) = 'consumer': consumer needs CONSUMERS_FILE, which is not set",
            "CONSUMERS_FILE|/nonexistent/consumers.yaml|Invalid setting CONSUMERS_FILE (gateway.consumers-file) = '/nonexistent/consumers.yaml': cannot read the file (NoSuchFileException)",
            "API_KEY_HEADER|X API Key|Invalid setting API_KEY_HEADER (gateway.api-key-header) = 'X API Key': must be a header name",
            "ROUTES_ALLOWED_PLACEHOLDERS|env:A B|Invalid setting ROUTES_ALLOWED_PLACEHOLDERS (gateway.routes-allowed-placeholders) = 'env:A B': 'env:A B' is not a placeholder key"
    })
    void badSettingStopsTheStartWithOneLineNamingIt(String variable, String value, String expected, CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayApplication.class)
                .properties(variable + "=" + value)
                .run("--server.port=0")).isInstanceOf(Exception.class);
        assertThat(output.getAll()).contains(expected);
    }
}
