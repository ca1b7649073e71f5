package dev.apigateway.proxy;

import dev.apigateway.observability.GatewayMetrics;
import dev.apigateway.tracing.GatewayTracer;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;

/** The platform-http engine of the gateway: {@link GatewayDispatchFilter} in front (Spring MVC for templated paths), {@link GatewayHttpConsumer} behind every route. */
public class GatewayPlatformHttpEngine implements PlatformHttpEngine {

    private final int port;
    private final ProxySettings settings;
    private final GatewayMetrics metrics;
    private final GatewayRouteTable routes;
    private final GatewayTracer tracer;

    public GatewayPlatformHttpEngine(int port, ProxySettings settings, GatewayMetrics metrics,
                                     GatewayRouteTable routes, GatewayTracer tracer) {
        this.port = port;
        this.settings = settings;
        this.metrics = metrics;
        this.routes = routes;
        this.tracer = tracer;
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new GatewayHttpConsumer(endpoint, processor, settings, metrics, routes, tracer);
    }

    @Override
    public int getServerPort() {
        return port;
    }
}
