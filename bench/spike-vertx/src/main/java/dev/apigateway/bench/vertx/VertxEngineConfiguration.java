package dev.apigateway.bench.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.client.WebClientOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.vertx.NonBlockingVertxEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * camel-platform-http-vertx wired by hand (Camel 4.17 has no Spring Boot starter for it; camel-main's
 * {@code camel.server.*} does the same for plain Camel): one {@link Vertx} that the HTTP server, the platform-http
 * engine and camel-vertx-http all find in the registry (the only bean of its type), the server as a Camel service
 * on {@code BIND_ADDRESS:PORT}, and the engine under the name platform-http looks up.
 */
@Configuration(proxyBeanMethods = false)
class VertxEngineConfiguration {

    @Bean(destroyMethod = "close")
    Vertx vertx(@Value("${VERTX_EVENT_LOOPS:0}") int eventLoops) {
        VertxOptions options = new VertxOptions();
        if (eventLoops > 0) {
            options.setEventLoopPoolSize(eventLoops);
        }
        return Vertx.vertx(options);
    }

    @Bean
    VertxPlatformHttpServerConfiguration vertxServerConfiguration(@Value("${PORT:8080}") int port,
            @Value("${BIND_ADDRESS:127.0.0.1}") String host) {
        VertxPlatformHttpServerConfiguration configuration = new VertxPlatformHttpServerConfiguration();
        configuration.setBindPort(port);
        configuration.setBindHost(host);
        return configuration;
    }

    @Bean(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME)
    NonBlockingVertxEngine platformHttpEngine() {
        return new NonBlockingVertxEngine();
    }

    @Bean
    CamelContextConfiguration vertxServer(VertxPlatformHttpServerConfiguration configuration, Vertx vertx) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                VertxPlatformHttpServer server = new VertxPlatformHttpServer(configuration);
                server.setVertx(vertx);
                try {
                    camelContext.addService(server, true, true);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot add the Vert.x HTTP server", e);
                }
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                // nothing: the server started with the context
            }
        };
    }

    /** The upstream pool of camel-vertx-http: the gateway's UPSTREAM_MAX_CONNECTIONS and connect timeout. */
    @Bean
    WebClientOptions upstreamClientOptions(@Value("${UPSTREAM_MAX_CONNECTIONS:1000}") int maxConnections,
            @Value("${UPSTREAM_CONNECT_TIMEOUT_MS:2000}") int connectTimeoutMillis) {
        return new WebClientOptions().setMaxPoolSize(maxConnections).setConnectTimeout(connectTimeoutMillis)
                .setKeepAlive(true).setTryUseCompression(false).setFollowRedirects(false).setUserAgentEnabled(false);
    }

    @Bean
    ProxyResponseBinding proxyResponseBinding() {
        return new ProxyResponseBinding();
    }
}
