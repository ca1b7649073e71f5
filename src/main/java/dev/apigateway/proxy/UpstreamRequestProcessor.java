package dev.apigateway.proxy;

import java.io.InputStream;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.http.HttpMethods;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;

/**
 * The step before the http producer ({@code gatewayForward}): the method, path and query of the upstream call come
 * from the request as the gateway bound it, never from a header a client could send; the forwarding headers are
 * set ({@link ForwardedHeaders}) and {@code X-Request-Id}; an untouched request body streams through, as bytes, with
 * its length, in a {@link RequestBodyStream} that tells whether it may still be sent to another target.
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

        ForwardedHeaders.apply(exchange, in);
        in.setHeader(ProxyHeaders.REQUEST_ID, GatewayExchange.requestId(exchange));

        exchange.setProperty(GatewayExchange.UPSTREAM_START, System.nanoTime());
        // the upstream's bytes both ways: Camel would gunzip an answer (and gzip a text body) by Content-Encoding
        exchange.setProperty(Exchange.SKIP_GZIP_ENCODING, Boolean.TRUE);
        Object body = in.getBody();
        Object original = exchange.getProperty(GatewayExchange.REQUEST_BODY);
        if (body != null && body == original) {
            long length = exchange.getProperty(GatewayExchange.CONTENT_LENGTH, -1L, Long.class);
            String contentType = in.getHeader(Exchange.CONTENT_TYPE, String.class);
            in.setBody(new InputStreamEntity(new RequestBodyStream((InputStream) body), length,
                    entityContentType(contentType)));
        }
    }

    /**
     * The entity's content type, or {@code null} when the client's cannot be parsed (an illegal charset name): the
     * client's {@code Content-Type} header travels unchanged either way, and the body is bytes.
     */
    private static ContentType entityContentType(String contentType) {
        if (contentType == null) {
            return null;
        }
        try {
            return ContentType.parseLenient(contentType);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
