package dev.apigateway.proxy;

import dev.apigateway.error.GatewayErrorConfiguration;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * The built-in route: {@code ANY /proxy/{path}} to {@code UPSTREAM_URL/{path}}, over the targets {@code UPSTREAM_URL}
 * names ({@code gatewayUpstream} reads them from the route's settings).
 */
@Component
public class ProxyRoute extends RouteBuilder {

    public static final String ROUTE_ID = "proxy";

    @Override
    public void configure() {
        from("platform-http:/proxy?matchOnUriPrefix=true")
                .routeId(ROUTE_ID)
                .routeConfigurationId(GatewayErrorConfiguration.ID)
                .process("gatewayRateLimit")
                .process("gatewayCircuitBreaker")
                .process("gatewayForward")
                .process("gatewayUpstream");
    }
}
