package dev.apigateway.proxy;

import java.io.InputStream;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.http.HttpMethods;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;

/**
 * The step before the http producer ({@code gatewayForward}): the method, path and query of the upstream call come
 * from the request as the gateway bound it, never from a header a client could send; {@code X-Forwarded-*} and
 * {@code X-Request-Id} are set; an untouched request body streams through with its length.
 */
public class UpstreamRequestProcessor implements Processor {

    @Override
    public void process(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        String method = exchange.getProperty(GatewayExchange.METHOD, String.class);
        // An enum, not a String: the producer takes it as is, with no type conversion per request.
        in.setHeader(Exchange.HTTP_METHOD, HttpMethods.valueOf(method));
        in.setHeader(Exchange.HTTP_PATH, exchange.getProperty(GatewayExchange.FORWARD_PATH, String.class));
        in.removeHeader(Exchange.HTTP_QUERY);
        in.removeHeader(Exchange.HTTP_URI);
        in.removeHeader(Exchange.HTTP_URL);
        String query = exchange.getProperty(GatewayExchange.RAW_QUERY, String.class);
        if (query != null) {
            in.setHeader(Exchange.HTTP_RAW_QUERY, query);
        } else {
            in.removeHeader(Exchange.HTTP_RAW_QUERY);
        }

        forwardedHeaders(exchange, in);
        in.setHeader(ProxyHeaders.REQUEST_ID, GatewayExchange.requestId(exchange));

        exchange.setProperty(GatewayExchange.UPSTREAM_START, System.nanoTime());
        // the upstream's bytes both ways: Camel would gunzip an answer (and gzip a text body) by Content-Encoding
        exchange.setProperty(Exchange.SKIP_GZIP_ENCODING, Boolean.TRUE);
        Object body = in.getBody();
        Object original = exchange.getProperty(GatewayExchange.REQUEST_BODY);
        if (body != null && body == original) {
            long length = exchange.getProperty(GatewayExchange.CONTENT_LENGTH, -1L, Long.class);
            String contentType = in.getHeader(Exchange.CONTENT_TYPE, String.class);
            in.setBody(new InputStreamEntity((InputStream) body, length,
                    contentType != null ? ContentType.parseLenient(contentType) : null));
        }
    }

    private static void forwardedHeaders(Exchange exchange, Message in) {
        String peerAddress = peer(exchange);
        Object existing = in.getHeader(ProxyHeaders.FORWARDED_FOR);
        String chain = existing instanceof List<?> list ? String.join(", ", list.stream().map(String::valueOf).toList())
                : existing != null ? existing.toString() : null;
        in.setHeader(ProxyHeaders.FORWARDED_FOR, chain == null || chain.isBlank() ? peerAddress : chain + ", " + peerAddress);

        // A trusted proxy in front (the TLS terminator) knows the original scheme and host; anyone else is replaced.
        boolean trusted = exchange.getProperty(GatewayExchange.PEER_TRUSTED, false, Boolean.class);
        if (!trusted || in.getHeader(ProxyHeaders.FORWARDED_PROTO) == null) {
            in.setHeader(ProxyHeaders.FORWARDED_PROTO, exchange.getProperty(GatewayExchange.ORIGINAL_SCHEME, String.class));
        }
        if (!trusted || in.getHeader(ProxyHeaders.FORWARDED_HOST) == null) {
            String host = exchange.getProperty(GatewayExchange.ORIGINAL_HOST, String.class);
            if (host != null) {
                in.setHeader(ProxyHeaders.FORWARDED_HOST, host);
            } else {
                in.removeHeader(ProxyHeaders.FORWARDED_HOST);
            }
        }
    }

    private static String peer(Exchange exchange) {
        return exchange.getProperty(GatewayExchange.PEER, String.class);
    }
}
