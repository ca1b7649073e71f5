package dev.apigateway.proxy;

import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;

/** The platform-http engine of the gateway: Spring MVC in front, {@link GatewayHttpConsumer} behind every route. */
public class GatewayPlatformHttpEngine implements PlatformHttpEngine {

    private final int port;
    private final ProxySettings settings;

    public GatewayPlatformHttpEngine(int port, ProxySettings settings) {
        this.port = port;
        this.settings = settings;
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new GatewayHttpConsumer(endpoint, processor, settings);
    }

    @Override
    public int getServerPort() {
        return port;
    }
}
