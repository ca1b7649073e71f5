package org.apache.camel.component.platform.http.vertx;

import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;

/**
 * Camel's Vert.x platform-http engine with {@link NonBlockingVertxConsumer} as its consumer. In Camel's package
 * because the consumer needs the package-private header and response helpers of {@code VertxPlatformHttpSupport}.
 */
public class NonBlockingVertxEngine extends VertxPlatformHttpEngine {

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new NonBlockingVertxConsumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()));
    }
}
