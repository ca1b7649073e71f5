package dev.apigateway.support;

import dev.apigateway.GatewayApplication;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One whole gateway, its own application context, Tomcat port and Redis connections: one instance of a cluster.
 * Requests to {@code /actuator/...} go to its management port, as an operator's would; everything else to the
 * public port.
 */
public final class GatewayInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private GatewayInstance(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static GatewayInstance start(String... properties) {
        java.util.Map<String, String> all = new java.util.LinkedHashMap<>();
        for (String p : List.of(
                "server.port=0",
                "gateway.routes-dir=target/test-routes-empty",
                "management.prometheus.metrics.export.enabled=true",
                "logging.level.dev.apigateway=ERROR",
                "logging.level.io.lettuce=ERROR")) {
            put(all, p);
        }
        // a property given twice on the command line would be joined with a comma: the caller's value wins
        for (String p : properties) {
            put(all, p);
        }
        // as command-line arguments: they win over application.yml, as an operator's settings would
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .run(all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
        return new GatewayInstance(context);
    }

    private static void put(java.util.Map<String, String> all, String property) {
        int eq = property.indexOf('=');
        all.put(property.substring(0, eq), property.substring(eq + 1));
    }

    public int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** The port of {@code /actuator/*}: the management port when one is set, the server's port otherwise. */
    public int managementPort() {
        String port = context.getEnvironment().getProperty("local.management.port");
        return port == null ? port() : Integer.parseInt(port);
    }

    private int portFor(String path) {
        return path.startsWith("/actuator") ? managementPort() : port();
    }

    /** {@code GET path} from the given loopback source address (each address is its own client). */
    public RawHttp.Response get(String from, String path) throws Exception {
        return RawHttp.exchangeFrom(from, portFor(path), "GET " + path + " HTTP/1.1\nHost: gateway.test\nConnection: close",
                null);
    }

    public RawHttp.Response post(String path, String json) throws Exception {
        byte[] body = json.getBytes();
        return RawHttp.exchange(portFor(path), "POST " + path + " HTTP/1.1\nHost: gateway.test\nConnection: close\n"
                + "Content-Type: application/json\nContent-Length: " + body.length, body);
    }

    /** Polls this instance's breaker view (it spends no rate-limit token) until the route's breaker is OPEN. */
    public void awaitBreakerOpen(String route) throws Exception {
        Poll.until(() -> get("127.0.0.1", "/actuator/circuitbreakers/" + route).bodyText()
                .contains("\"state\":\"OPEN\"") ? 1 : 0, 1, java.time.Duration.ofSeconds(10));
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
