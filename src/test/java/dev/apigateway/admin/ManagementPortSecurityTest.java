package dev.apigateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Forcing a breaker (a state change) is never served on the public port, and on the management port it needs
 * {@code ADMIN_TOKEN}; the public health answers carry the status alone, the details are on the management port.
 */
class ManagementPortSecurityTest {

    private static final String TOKEN = "t0ken-for-the-management-port-test";
    private static final String OPEN = "{\"action\":\"open\"}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayInstance.start(
                "ADMIN_TOKEN=" + TOKEN,
                "gateway.state-store=memory",
                "gateway.upstream-url=" + GatewayTestUpstream.get().baseUrl());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @AfterEach
    void closeBreaker() throws Exception {
        post(gateway.managementPort(), "/actuator/circuitbreakers/proxy", "{\"action\":\"close\"}",
                "Authorization: Bearer " + TOKEN);
    }

    @Test
    void forcingABreakerOnThePublicPortIs404AndChangesNothing() throws Exception {
        RawHttp.Response refused = post(gateway.port(), "/actuator/circuitbreakers/proxy", OPEN,
                "Authorization: Bearer " + TOKEN);
        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.header("Content-Type")).startsWith("application/json");
        JsonNode body = JSON.readTree(refused.bodyText());
        assertThat(body.get("error").asText()).isEqualTo("not_found");
        assertThat(body.get("requestId").asText()).isNotBlank();

        assertThat(get(gateway.port(), "/actuator/circuitbreakers").status()).isEqualTo(404);
        assertThat(get(gateway.port(), "/proxy/ok").status()).isEqualTo(200);
        assertThat(breakerState()).isEqualTo("CLOSED");
    }

    @Test
    void onTheManagementPortForcingNeedsTheToken() throws Exception {
        int management = gateway.managementPort();
        RawHttp.Response without = post(management, "/actuator/circuitbreakers/proxy", OPEN, null);
        assertUnauthorized(without);
        assertThat(without.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"api-gateway-admin\"");

        RawHttp.Response wrong = post(management, "/actuator/circuitbreakers/proxy", OPEN,
                "Authorization: Bearer " + TOKEN + "x");
        assertUnauthorized(wrong);
        assertThat(wrong.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
        assertThat(post(management, "/actuator/circuitbreakers/proxy", OPEN, "Authorization: Basic " + TOKEN)
                .status()).isEqualTo(401);
        assertThat(breakerState()).as("nothing changed without the token").isEqualTo("CLOSED");
        assertThat(get(gateway.port(), "/proxy/ok").status()).isEqualTo(200);

        RawHttp.Response forced = post(management, "/actuator/circuitbreakers/proxy", OPEN,
                "Authorization: Bearer " + TOKEN);
        assertThat(forced.status()).isEqualTo(200);
        assertThat(JSON.readTree(forced.bodyText()).get("state").asText()).isEqualTo("OPEN");
        RawHttp.Response proxied = get(gateway.port(), "/proxy/ok");
        assertThat(proxied.status()).isEqualTo(503);
        assertThat(JSON.readTree(proxied.bodyText()).get("error").asText()).isEqualTo("circuit_open");
    }

    @Test
    void readsOnTheManagementPortNeedNoToken() throws Exception {
        int management = gateway.managementPort();
        assertThat(get(management, "/actuator/circuitbreakers").status()).isEqualTo(200);
        RawHttp.Response scrape = get(management, "/actuator/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.bodyText()).contains("gateway_circuit_breaker_state");
    }

    @Test
    void publicHealthShowsTheStatusAloneAndTheManagementPortTheDetails() throws Exception {
        for (String path : new String[] {"/health", "/health/liveness", "/health/readiness"}) {
            RawHttp.Response health = get(gateway.port(), path);
            assertThat(health.status()).as(path).isEqualTo(200);
            assertThat(JSON.readTree(health.bodyText())).as(path)
                    .isEqualTo(JSON.readTree("{\"status\":\"UP\"}"));
        }
        RawHttp.Response details = get(gateway.managementPort(), "/actuator/health/readiness");
        assertThat(details.status()).isEqualTo(200);
        JsonNode components = JSON.readTree(details.bodyText()).get("components");
        assertThat(components.get("store").get("details").get("store").asText()).isEqualTo("memory");
        assertThat(components.get("routeFiles").get("details").has("refused")).isTrue();
    }

    private static void assertUnauthorized(RawHttp.Response response) throws Exception {
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        JsonNode body = JSON.readTree(response.bodyText());
        assertThat(body.get("error").asText()).isEqualTo("unauthorized");
        assertThat(body.get("message").asText()).isNotBlank();
        assertThat(body.get("requestId").asText()).isNotBlank();
    }

    private static String breakerState() throws Exception {
        RawHttp.Response view = get(gateway.managementPort(), "/actuator/circuitbreakers");
        JsonNode proxy = JSON.readTree(view.bodyText()).get("proxy");
        return proxy == null ? "CLOSED" : proxy.get("state").asText();
    }

    static RawHttp.Response get(int port, String path) throws Exception {
        return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\nHost: gateway.test\nConnection: close");
    }

    private static RawHttp.Response post(int port, String path, String json, String header) throws Exception {
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return RawHttp.exchange(port, "POST " + path + " HTTP/1.1\nHost: gateway.test\nConnection: close\n"
                + "Content-Type: application/json\nContent-Length: " + body.length
                + (header == null ? "" : "\n" + header), body);
    }
}
