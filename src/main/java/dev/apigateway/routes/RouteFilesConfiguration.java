package dev.apigateway.routes;

import dev.apigateway.config.GatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import dev.apigateway.proxy.GatewayRouteTable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Route files in {@code ROUTES_DIR}: loaded once the Camel context has started (before the gateway reports ready),
 * then watched. Camel's own route loading and reloading stay off for this folder.
 */
@Configuration(proxyBeanMethods = false)
public class RouteFilesConfiguration {

    @Bean
    RouteFileParser routeFileParser(CamelContext camel, RouteSettingsRegistry registry, GatewayProperties properties) {
        return new RouteFileParser(camel, registry, new RouteSandbox(
                properties.getRoutesAllowedComponents(), properties.getRoutesAllowedPlaceholders()));
    }

    @Bean
    RouteFiles routeFiles(CamelContext camel, RouteFileParser parser, RouteSettingsRegistry registry,
                          ObjectProvider<MeterRegistry> meters, GatewayRouteTable paths) {
        RouteFiles files = new RouteFiles(camel, parser, registry);
        files.holdPathsWith(paths::hold);
        meters.ifAvailable(files::bindMetrics);
        return files;
    }

    @Bean(destroyMethod = "close")
    RouteFileWatcher routeFileWatcher(GatewayProperties properties, RouteFiles files) {
        return new RouteFileWatcher(Path.of(properties.getRoutesDir()).toAbsolutePath().normalize(), files);
    }

    @Bean
    CamelContextConfiguration routeFilesStart(GatewayProperties properties, RouteFileWatcher watcher) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                UpstreamOptions.register(camel, properties);
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
                watcher.loadAll();
                watcher.start();
            }
        };
    }

    /**
     * {@code routeFiles} in {@code /actuator/health} and the readiness group: always UP (a refused file must not take
     * the instance out of rotation: the routes that were serving still serve), with the loaded and refused files.
     */
    @Bean
    HealthIndicator routeFilesHealthIndicator(RouteFiles files) {
        return () -> Health.up().withDetail("loaded", files.loaded()).withDetail("refused", files.refused()).build();
    }
}
