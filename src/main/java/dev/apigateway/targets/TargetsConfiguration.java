package dev.apigateway.targets;

import dev.apigateway.config.GatewayProperties;
import dev.apigateway.observability.UpstreamTargetMetrics;
import dev.apigateway.routes.RouteSettingsRegistry;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The {@code gatewayUpstream} step: balancing, passive health and retries over a route's targets. */
@Configuration(proxyBeanMethods = false)
public class TargetsConfiguration {

    @Bean(name = UpstreamDispatcher.STEP)
    UpstreamDispatcher gatewayUpstream(RouteSettingsRegistry routes, ObjectProvider<CamelContext> camel,
                                       UpstreamTargetMetrics metrics, GatewayProperties properties,
                                       ObjectProvider<Clock> clocks) {
        // A Clock bean, where there is one (tests drive time with it), otherwise the system clock.
        return new UpstreamDispatcher(routes, camel::getObject, metrics,
                EjectionPolicy.of(properties.getUpstreamEjectionConsecutiveFailures(),
                        properties.getUpstreamEjectionTime()),
                clocks.getIfAvailable(Clock::systemUTC));
    }

    @Bean
    UpstreamsEndpoint upstreamsEndpoint(UpstreamDispatcher dispatcher) {
        return new UpstreamsEndpoint(dispatcher);
    }
}
