package dev.apigateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.routes.RouteFileTestSupport;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.RawHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /actuator/routefiles} on the management port: each route file with the SHA-256 of the content running
 * and when it was loaded, so pods can be compared after a ConfigMap change; a refused edit shows beside the
 * content still running. Read-only, and not on the public port.
 */
class RouteFilesViewTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void listsEachFileWithTheHashAndLoadTimeOfTheContentRunning() throws Exception {
        String upstream = GatewayTestUpstream.get().baseUrl();
        String first = RouteFileTestSupport.templated("orders", "/orders", upstream);
        Files.writeString(dir.resolve("orders.yaml"), first);
        Instant beforeStart = Instant.now();
        try (GatewayInstance gateway = GatewayInstance.start("gateway.state-store=memory",
                "gateway.upstream-url=" + upstream, "gateway.routes-dir=" + dir)) {
            JsonNode orders = file(gateway, "orders.yaml");
            assertThat(orders.get("routes")).extracting(JsonNode::asText).containsExactly("orders");
            assertThat(orders.get("loaded").get("hash").asText()).isEqualTo(sha256(first));
            Instant loadedAt = Instant.parse(orders.get("loaded").get("at").asText());
            assertThat(loadedAt).isBetween(beforeStart, Instant.now());
            assertThat(orders.get("refused").isNull()).isTrue();

            // an edit that is refused: the old content keeps running, and the view says both
            String broken = RouteFileTestSupport.templated("orders", "/orders", upstream,
                    "rateLimitCapacity", "lots");
            RouteFileTestSupport.write(dir, "orders.yaml", broken);
            JsonNode refused = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> file(gateway, "orders.yaml"), f -> !f.get("refused").isNull());
            assertThat(refused.get("refused").get("hash").asText()).isEqualTo(sha256(broken));
            assertThat(refused.get("refused").get("reason").asText()).contains("rateLimitCapacity");
            assertThat(refused.get("loaded").get("hash").asText()).isEqualTo(sha256(first));

            // a good edit: the new hash, loaded later
            String second = RouteFileTestSupport.templated("orders", "/orders", upstream, "rateLimitCapacity", "7");
            String secondHash = sha256(second);
            RouteFileTestSupport.write(dir, "orders.yaml", second);
            JsonNode reloaded = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> file(gateway, "orders.yaml"),
                            f -> f.get("loaded").get("hash").asText().equals(secondHash));
            assertThat(reloaded.get("refused").isNull()).isTrue();
            assertThat(Instant.parse(reloaded.get("loaded").get("at").asText())).isAfter(loadedAt);

            assertThat(RawHttp.exchange(gateway.port(),
                    "GET /actuator/routefiles HTTP/1.1\nHost: gateway.test\nConnection: close").status())
                    .as("not on the public port").isEqualTo(404);
            assertThat(RawHttp.exchange(gateway.managementPort(),
                    "DELETE /actuator/routefiles HTTP/1.1\nHost: gateway.test\nConnection: close").status())
                    .as("read-only").isEqualTo(405);
        }
    }

    private static JsonNode file(GatewayInstance gateway, String name) throws Exception {
        RawHttp.Response view = gateway.get("127.0.0.1", "/actuator/routefiles");
        assertThat(view.status()).isEqualTo(200);
        for (JsonNode f : JSON.readTree(view.bodyText()).get("files")) {
            if (f.get("file").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no " + name + " in " + view.bodyText());
    }

    private static String sha256(String content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(content.getBytes(StandardCharsets.UTF_8)));
    }
}
