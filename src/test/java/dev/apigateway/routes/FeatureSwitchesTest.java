package dev.apigateway.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RATE_LIMIT_ENABLED=false and CIRCUIT_BREAKER_ENABLED=false switch both steps off, templated routes included. */
class FeatureSwitchesTest {

    @Test
    void withBothSwitchesOffNoRouteLimitsOrBreaks(@TempDir Path routes) throws Exception {
        String upstream = GatewayTestUpstream.get().baseUrl();
        Files.writeString(routes.resolve("orders.yaml"), """
                - templatedRoute:
                    routeTemplateRef: gateway-route
                    routeId: orders
                    parameters:
                      - name: path
                        value: /orders
                      - name: upstreamUrl
                        value: %s
                      - name: rateLimitCapacity
                        value: "2"
                """.formatted(upstream));
        try (GatewayInstance gateway = GatewayInstance.start(
                "gateway.state-store=memory",
                "gateway.routes-dir=" + routes,
                "gateway.upstream-url=" + upstream,
                "gateway.rate-limit.enabled=false",
                "gateway.circuit-breaker.enabled=false",
                "gateway.circuit-breaker.failure-threshold=1")) {
            for (String prefix : new String[] {"/proxy", "/orders"}) {
                for (int i = 0; i < 5; i++) {
                    RawHttp.Response failed = get(gateway, prefix + "/status/500");
                    assertThat(failed.status()).as(prefix).isEqualTo(500);
                    assertThat(failed.header("RateLimit-Limit")).as(prefix).isNull();
                }
                assertThat(get(gateway, prefix + "/ok").status()).as(prefix).isEqualTo(200);
            }
        }
    }

    private static RawHttp.Response get(GatewayInstance gateway, String path) throws Exception {
        return RawHttp.exchange(gateway.port(), "GET " + path + " HTTP/1.1\nHost: t\nConnection: close");
    }
}
