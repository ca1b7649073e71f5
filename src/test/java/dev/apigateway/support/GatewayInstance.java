package dev.apigateway.support;

import dev.apigateway.GatewayApplication;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** One whole gateway, its own application context, Tomcat port and Redis connections: one instance of a cluster. */
public final class GatewayInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private GatewayInstance(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static GatewayInstance start(String... properties) {
        List<String> all = new ArrayList<>(List.of(
                "server.port=0",
                "gateway.routes-dir=target/test-routes-empty",
                "management.prometheus.metrics.export.enabled=true",
                "logging.level.dev.apigateway=ERROR",
                "logging.level.io.lettuce=ERROR"));
        all.addAll(List.of(properties));
        // as command-line arguments: they win over application.yml, as an operator's settings would
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .run(all.stream().map(p -> "--" + p).toArray(String[]::new));
        return new GatewayInstance(context);
    }

    public int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
