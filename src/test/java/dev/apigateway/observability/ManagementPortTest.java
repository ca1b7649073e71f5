package dev.apigateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.Environment;

/**
 * {@code MANAGEMENT_PORT} moves the actuator (Prometheus included) off the proxy's port, while {@code /health}
 * stays with the proxy; and what the gateway logs at start names no Redis password, even one inside
 * {@code REDIS_URL}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ManagementPortTest {

    private static final String SECRET = "s3cret-pw-never-logged";

    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayInstance.start(
                // the environment variables themselves, through application.yml's placeholders (0: any free port)
                "MANAGEMENT_PORT=0",
                "REDIS_URL=redis://default:" + SECRET + "@127.0.0.1:1/0",
                "REDIS_PASSWORD=" + SECRET,
                // with the store in memory nothing connects to that Redis; only its settings are bound
                "gateway.state-store=memory",
                "gateway.upstream-url=" + GatewayTestUpstream.get().baseUrl(),
                // the gateway's own start-up lines at their production level
                "logging.level.dev.apigateway.config=INFO",
                "logging.level.dev.apigateway.store=INFO");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void prometheusAnswersOnTheManagementPortAndNotOnTheProxyPort() throws Exception {
        int management = managementPort();
        assertThat(management).isPositive().isNotEqualTo(gateway.port());

        RawHttp.Response scrape = get(management, "/actuator/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.bodyText()).contains("jvm_memory_used_bytes", "camel_routes_running_routes");

        RawHttp.Response onProxyPort = get(gateway.port(), "/actuator/prometheus");
        assertThat(onProxyPort.status()).isEqualTo(404);
        assertThat(onProxyPort.bodyText()).doesNotContain("jvm_memory_used_bytes");
        assertThat(get(gateway.port(), "/actuator/health").status()).isEqualTo(404);
    }

    @Test
    void healthStaysOnTheProxyPort() throws Exception {
        RawHttp.Response health = get(gateway.port(), "/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.bodyText()).contains("\"status\":\"UP\"");
        assertThat(get(gateway.port(), "/health/readiness").status()).isEqualTo(200);
        assertThat(get(gateway.port(), "/proxy/ok").status()).isEqualTo(200);
    }

    @Test
    void startUpLogNamesNoRedisPassword(CapturedOutput output) {
        assertThat(output.getOut()).as("the start-up was captured").contains("api-gateway");
        assertThat(output.getAll()).doesNotContain(SECRET);
    }

    private static int managementPort() {
        return Integer.parseInt(gateway.bean(Environment.class).getProperty("local.management.port"));
    }

    private static RawHttp.Response get(int port, String path) throws Exception {
        return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\nHost: gateway.test\nConnection: close");
    }
}
