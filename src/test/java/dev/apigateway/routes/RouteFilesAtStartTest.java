package dev.apigateway.routes;

import static dev.apigateway.routes.RouteFileTestSupport.call;
import static dev.apigateway.routes.RouteFileTestSupport.templated;
import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.GatewayApplication;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Prometheus;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A broken route file at start: the gateway starts, serves the valid files, and reports the broken one. */
class RouteFilesAtStartTest {

    @Test
    void brokenFileAtStartDoesNotStopTheGateway(@TempDir Path dir) throws Exception {
        String upstream = GatewayTestUpstream.get().baseUrl();
        Files.writeString(dir.resolve("orders.yaml"), templated("orders", "/orders", upstream,
                "rateLimitCapacity", "4"));
        Files.writeString(dir.resolve("broken.yaml"), templated("broken", "/broken", upstream,
                "rateLimitCapacity", "lots"));
        Files.copy(Path.of("routes/reports.yaml"), dir.resolve("reports.yaml"));
        Files.writeString(dir.resolve("reports.yaml"), Files.readString(dir.resolve("reports.yaml"))
                .replace("{{env:UPSTREAM_URL:http://localhost:5001}}", upstream));

        // not GatewayInstance: it sets its own routes folder, and a second one would be appended to it
        try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class).run(
                "--server.port=0", "--gateway.state-store=memory", "--gateway.upstream-url=" + upstream,
                "--gateway.routes-dir=" + dir, "--management.prometheus.metrics.export.enabled=true")) {
            int port = Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));
            int managementPort = Integer.parseInt(gateway.getEnvironment().getProperty("local.management.port"));
            HttpResponse<String> orders = call(port, "/orders/ok");
            assertThat(orders.statusCode()).isEqualTo(200);
            assertThat(orders.headers().firstValue("RateLimit-Limit")).hasValue("4");
            assertThat(call(port, "/broken/ok").statusCode()).isEqualTo(404);

            // the example full route: its own header, and the upstream path chosen by the body
            HttpResponse<String> report = call(port, "/reports/daily");
            assertThat(report.statusCode()).isEqualTo(200);
            assertThat(GatewayTestUpstream.get().lastRequest().orElseThrow().rawPath()).isEqualTo("/echo/daily");
            assertThat(GatewayTestUpstream.get().lastRequest().orElseThrow().header("X-Team")).isEqualTo("reports");

            HttpResponse<String> urgent = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/reports/x"))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("this one is urgent"))
                            .header("Content-Type", "text/plain").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(urgent.statusCode()).isEqualTo(200);
            var seen = GatewayTestUpstream.get().lastRequest().orElseThrow();
            assertThat(seen.rawPath()).isEqualTo("/echo/urgent");
            assertThat(seen.bodyLength()).isEqualTo("this one is urgent".length());

            String scrape = Prometheus.scrape(managementPort);
            assertThat(Prometheus.value(scrape, "gateway_route_files", "state=\"loaded\"")).isEqualTo(2.0);
            assertThat(Prometheus.value(scrape, "gateway_route_files", "state=\"refused\"")).isEqualTo(1.0);

            // the details are for operators: on the management port (the public /health/readiness has the status)
            HttpResponse<String> readiness = call(managementPort, "/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(200);
            assertThat(readiness.body()).contains("routeFiles").contains("broken.yaml")
                    .contains("rateLimitCapacity 'lots' is not a whole number");
        }
    }
}
