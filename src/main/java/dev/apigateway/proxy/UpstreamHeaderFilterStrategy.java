package dev.apigateway.proxy;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * Header rules of the http producer toward the upstream.
 *
 * <p>Outgoing (exchange headers to the upstream request): only end-to-end headers of the client's request;
 * never Camel control headers, hop-by-hop headers, {@code Host} (the client's host travels as
 * {@code X-Forwarded-Host}) or {@code Content-Length} (the request entity carries the length it really has). The
 * headers the client's {@code Connection} named were already dropped when the request was bound; they are not
 * consulted here, so a client cannot name away a header the gateway sets ({@code X-Forwarded-For},
 * {@code X-Request-Id}).
 *
 * <p>Incoming (upstream response headers to the exchange): everything but hop-by-hop headers, those the upstream's
 * {@code Connection} header names, and Camel control headers. The named ones are remembered on the exchange, apart
 * from the client's, so the client-facing writer drops them too, whatever order the upstream sent them in.
 */
public class UpstreamHeaderFilterStrategy implements HeaderFilterStrategy {

    @Override
    public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
        return ProxyHeaders.isCamelControl(name)
                || ProxyHeaders.isHopByHop(name)
                || "Host".equalsIgnoreCase(name)
                || "Content-Length".equalsIgnoreCase(name)
                || "Expect".equalsIgnoreCase(name);
    }

    @Override
    public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
        if (ProxyHeaders.CONNECTION.equalsIgnoreCase(name)) {
            Set<String> tokens = connectionTokens(exchange);
            ProxyHeaders.addConnectionTokens(String.valueOf(value), tokens);
            return true;
        }
        return ProxyHeaders.isHopByHop(name) || ProxyHeaders.isCamelControl(name);
    }

    /** Whether the upstream's {@code Connection} header named this header of its answer. */
    static boolean isResponseConnectionToken(String name, Exchange exchange) {
        @SuppressWarnings("unchecked")
        Set<String> tokens = exchange.getProperty(ProxyHeaders.RESPONSE_CONNECTION_TOKENS_PROPERTY, Set.class);
        return tokens != null && !tokens.isEmpty() && tokens.contains(name.toLowerCase(Locale.ROOT));
    }

    @SuppressWarnings("unchecked")
    private static Set<String> connectionTokens(Exchange exchange) {
        Set<String> tokens = exchange.getProperty(ProxyHeaders.RESPONSE_CONNECTION_TOKENS_PROPERTY, Set.class);
        if (tokens == null) {
            tokens = new HashSet<>(4);
            exchange.setProperty(ProxyHeaders.RESPONSE_CONNECTION_TOKENS_PROPERTY, tokens);
        }
        return tokens;
    }
}
