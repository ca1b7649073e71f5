package dev.apigateway.proxy;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;

/**
 * Binds a servlet request to the exchange the way the gateway's consumer does: end-to-end headers only (never a
 * {@code Camel*}, hop-by-hop or {@code Connection}-named header), repeated field lines combined, the method, path
 * and query from the servlet request, the request's facts as exchange properties, and the body as a bounded stream.
 */
final class RequestBinder {

    private RequestBinder() {
    }

    static void bind(ProxySettings settings, HttpServletRequest request, Exchange exchange, PlatformHttpMessage message, String rawPath,
                     String forwardPath, String requestId, long contentLength) throws IOException {
        String peer = request.getRemoteAddr();
        boolean peerTrusted = settings.trustedProxies().isTrusted(peer);
        Map<String, Object> headers = message.getHeaders();
        Set<String> connectionTokens = null;
        Enumeration<String> connection = request.getHeaders(ProxyHeaders.CONNECTION);
        while (connection.hasMoreElements()) {
            if (connectionTokens == null) {
                connectionTokens = new HashSet<>(4);
            }
            ProxyHeaders.addConnectionTokens(connection.nextElement(), connectionTokens);
        }
        List<String> forwardedFor = List.of();
        // Header values as bound, by identity: a route that leaves them untouched does not echo them to the client.
        Map<Object, Boolean> bound = new IdentityHashMap<>();
        Enumeration<String> names = request.getHeaderNames();
        while (names.hasMoreElements()) {
            String name = names.nextElement();
            if (ProxyHeaders.isCamelControl(name) || ProxyHeaders.isHopByHop(name)
                    || "Content-Length".equalsIgnoreCase(name)
                    || (connectionTokens != null && connectionTokens.contains(name.toLowerCase(java.util.Locale.ROOT)))) {
                continue;
            }
            Enumeration<String> values = request.getHeaders(name);
            String value = values.nextElement();
            if (values.hasMoreElements()) {
                // Repeated field lines are combined as RFC 9110 5.3 allows (Cookie with "; ", RFC 6265 5.4):
                // Camel's producer would send a list as one "[a, b]" line.
                StringBuilder combined = new StringBuilder(value);
                String separator = "Cookie".equalsIgnoreCase(name) ? "; " : ", ";
                while (values.hasMoreElements()) {
                    combined.append(separator).append(values.nextElement());
                }
                value = combined.toString();
            }
            if (ProxyHeaders.FORWARDED_FOR.equalsIgnoreCase(name)) {
                forwardedFor = List.of(value);
            }
            headers.put(name, value);
            bound.put(value, Boolean.TRUE);
        }
        String query = request.getQueryString();
        // What the route may read; the producer takes its own copies from the exchange properties below.
        headers.put(Exchange.HTTP_METHOD, request.getMethod());
        headers.put(Exchange.HTTP_PATH, forwardPath);
        headers.put(Exchange.HTTP_URI, rawPath);
        if (query != null) {
            headers.put(Exchange.HTTP_QUERY, query);
        }
        String contentType = request.getContentType();
        if (contentType != null) {
            headers.put(Exchange.CONTENT_TYPE, contentType);
            bound.put(contentType, Boolean.TRUE);
        }

        exchange.setProperty(GatewayExchange.REQUEST_ID, requestId);
        exchange.setProperty(GatewayExchange.CLIENT_IP, settings.trustedProxies().clientAddress(peer, forwardedFor));
        exchange.setProperty(GatewayExchange.PEER, peer);
        exchange.setProperty(GatewayExchange.PEER_TRUSTED, peerTrusted);
        exchange.setProperty(GatewayExchange.FORWARD_PATH, forwardPath);
        exchange.setProperty(GatewayExchange.RAW_QUERY, query);
        exchange.setProperty(GatewayExchange.METHOD, request.getMethod());
        exchange.setProperty(GatewayExchange.CONTENT_LENGTH, contentLength);
        exchange.setProperty(GatewayExchange.ORIGINAL_SCHEME, request.getScheme());
        exchange.setProperty(GatewayExchange.ORIGINAL_HOST, request.getHeader("Host"));
        exchange.setProperty(GatewayExchange.BOUND_HEADERS, bound);
        if (connectionTokens != null) {
            exchange.setProperty(ProxyHeaders.CONNECTION_TOKENS_PROPERTY, connectionTokens);
        }

        if (hasBody(request, contentLength)) {
            InputStream body = new LimitedInputStream(request.getInputStream(), settings.maxRequestBodyBytes());
            message.setBody(body);
            exchange.setProperty(GatewayExchange.REQUEST_BODY, body);
        }
    }

    private static boolean hasBody(HttpServletRequest request, long contentLength) {
        return contentLength > 0 || (contentLength < 0 && request.getHeader("Transfer-Encoding") != null);
    }
}
