package dev.apigateway.proxy;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * What of the exchange's headers is written into the answer to the client: no Camel control headers, no
 * hop-by-hop headers (nor those the upstream's {@code Connection} header named; the client's names apply to its
 * request only), and no {@code X-Request-Id}
 * (the gateway's own id is already on the answer, see {@link RequestIdFilter}).
 */
public class ClientResponseHeaderFilterStrategy implements HeaderFilterStrategy {

    @Override
    public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
        return ProxyHeaders.isCamelControl(name)
                || ProxyHeaders.isHopByHop(name)
                || ProxyHeaders.REQUEST_ID.equalsIgnoreCase(name)
                || UpstreamHeaderFilterStrategy.isResponseConnectionToken(name, exchange);
    }

    @Override
    public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
        // Request headers are bound by GatewayHttpConsumer itself, never through this strategy.
        return true;
    }
}
