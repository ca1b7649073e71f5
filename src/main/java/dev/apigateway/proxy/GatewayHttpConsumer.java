package dev.apigateway.proxy;

import dev.apigateway.error.ErrorBody;
import dev.apigateway.error.ErrorCodes;
import dev.apigateway.observability.ContextAwareEventBuilder;
import dev.apigateway.observability.GatewayMetrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpBinding;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.apache.camel.http.common.HttpHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform-http consumer of every gateway route. Compared with Camel's Spring Boot consumer it:
 * <ul>
 *   <li>runs the exchange on the servlet container's thread and answers synchronously: no hand-off to an
 *   executor and no Spring MVC async dispatch per request;</li>
 *   <li>binds the request itself: end-to-end headers only, never a {@code Camel*} header, a hop-by-hop header, a
 *   query parameter or a form field as a header; the method, path and query come from the servlet request;</li>
 *   <li>streams the request body (never cached in memory) and refuses one over the limit before routing;</li>
 *   <li>refuses paths that would leave the upstream's base path before any route sees them;</li>
 *   <li>answers 404 once its route is stopped or removed (Camel leaves the MVC mapping behind).</li>
 * </ul>
 */
public class GatewayHttpConsumer extends SpringBootPlatformHttpConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayHttpConsumer.class);

    private final ProxySettings settings;
    private final GatewayMetrics metrics;
    private volatile String routeId;
    private final SpringBootPlatformHttpBinding responseBinding;
    private final ClientResponseHeaderFilterStrategy responseFilter = new ClientResponseHeaderFilterStrategy();

    public GatewayHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor, ProxySettings settings,
                               GatewayMetrics metrics) {
        super(endpoint, processor, Runnable::run);
        this.settings = settings;
        this.metrics = metrics;
        this.responseBinding = new SpringBootPlatformHttpBinding();
        this.responseBinding.setHeaderFilterStrategy(responseFilter);
        this.responseBinding.setMuteException(true);
    }

    /**
     * Called by Spring MVC for every request mapped to this consumer. Returning {@code null} tells Spring MVC the
     * request is handled: the answer is already written.
     */
    @Override
    public java.util.concurrent.CompletableFuture<Void> service(HttpServletRequest request, HttpServletResponse response) {
        String requestId = RequestIdFilter.requestId(request);
        if (requestId == null) {
            requestId = RequestIdFilter.newId();
        }
        try {
            handle(request, response, requestId);
            metrics.requestCompleted(routeId(), response.getStatus());
        } catch (Exception e) {
            ContextAwareEventBuilder.of(LOG.atWarn()).setCause(e).addKeyValue("event", "gateway_error")
                    .addKeyValue("request_id", requestId)
                    .log("Request failed outside the route: {}", e.toString());
            try {
                ErrorBody.write(response, 500, ErrorCodes.INTERNAL_ERROR, "the gateway failed to handle the request",
                        requestId);
            } catch (IOException ignored) {
                // the client is gone
            }
        }
        return null;
    }

    private void handle(HttpServletRequest request, HttpServletResponse response, String requestId) throws Exception {
        if (!isRunAllowed() || isSuspended()) {
            ErrorBody.write(response, 404, ErrorCodes.NOT_FOUND, "no route serves " + request.getRequestURI(), requestId);
            return;
        }
        if (settings.bulkhead().refuse(routeId(), response, requestId)) { return; } // RouteBulkhead: 503 when full
        String rawPath = rawPath(request);
        String refused = PathGuard.reject(rawPath);
        if (refused != null) {
            ErrorBody.write(response, 400, ErrorCodes.BAD_REQUEST, refused, requestId);
            return;
        }
        long contentLength = request.getContentLengthLong();
        if (contentLength > settings.maxRequestBodyBytes()) {
            ErrorBody.write(response, 413, ErrorCodes.PAYLOAD_TOO_LARGE,
                    "request body is larger than " + settings.maxRequestBodyBytes() + " bytes", requestId);
            return;
        }

        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        HttpHelper.setCharsetFromContentType(request.getContentType(), exchange);
        PlatformHttpMessage message = new PlatformHttpMessage(request, response, exchange, responseBinding, true);
        exchange.setIn(message);
        bind(request, exchange, message, rawPath, requestId, contentLength);

        createUoW(exchange);
        try {
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            GatewayExchange.runAfterRoute(exchange);
            Long upstreamStart = exchange.getProperty(GatewayExchange.UPSTREAM_START, Long.class);
            if (upstreamStart != null) {
                // the upstream's answer head is in (or it failed): the body streams while the answer is written
                metrics.upstreamDuration(routeId(), System.nanoTime() - upstreamStart);
            }
            writeResponse(exchange, response, requestId);
        } finally {
            doneUoW(exchange);
            releaseExchange(exchange, false);
        }
    }

    private void bind(HttpServletRequest request, Exchange exchange, PlatformHttpMessage message, String rawPath,
                      String requestId, long contentLength) throws IOException {
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
        String prefix = getEndpoint().getPath();
        String forwardPath = rawPath.length() > prefix.length() && rawPath.startsWith(prefix)
                ? rawPath.substring(prefix.length()) : "";
        if (prefix.equals("/") || prefix.isEmpty()) {
            forwardPath = rawPath;
        }
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

    private void writeResponse(Exchange exchange, HttpServletResponse response, String requestId) throws IOException {
        Map<String, String> extra = exchange.getProperty(GatewayExchange.RESPONSE_HEADERS, Map.class);
        if (exchange.getException() != null) {
            // The shared error configuration handles every failure of a gateway route; this is the safety net for a
            // route that opted out of it. No stack trace ever reaches the client.
            Exception e = exchange.getException();
            ContextAwareEventBuilder.of(LOG.atWarn()).setCause(e).addKeyValue("event", "route_error")
                    .addKeyValue("request_id", requestId)
                    .addKeyValue("route", exchange.getFromRouteId())
                    .log("Unhandled failure in route {}: {}", exchange.getFromRouteId(), e.toString());
            applyExtraHeaders(response, extra);
            ErrorBody.write(response, 500, ErrorCodes.INTERNAL_ERROR, "the gateway failed to handle the request",
                    requestId);
            return;
        }
        @SuppressWarnings("unchecked")
        Map<Object, Boolean> bound = exchange.getProperty(GatewayExchange.BOUND_HEADERS, Map.class);
        Map<String, Object> headers = exchange.getMessage().getHeaders();
        if (bound != null && !bound.isEmpty()) {
            // A request header the route did not touch is not part of the answer (Camel would echo it back).
            headers.values().removeIf(v -> v != null && bound.containsKey(v));
        }
        if (extra != null) {
            for (String name : extra.keySet()) {
                headers.remove(name);
            }
            applyExtraHeaders(response, extra);
        }
        responseBinding.writeResponse(exchange, response);
    }

    private static void applyExtraHeaders(HttpServletResponse response, Map<String, String> extra) {
        if (extra != null) {
            extra.forEach(response::setHeader);
        }
    }

    /**
     * The id of the route this consumer feeds. Camel gives it to the platform-http consumer that wraps this one,
     * not to this one, so it is looked up once among the context's routes by endpoint.
     */
    private String routeId() {
        String id = routeId;
        if (id == null) {
            for (org.apache.camel.Route route : getEndpoint().getCamelContext().getRoutes()) {
                if (route.getEndpoint() == getEndpoint()) {
                    id = route.getRouteId();
                    break;
                }
            }
            if (id == null) {
                return "unknown";
            }
            routeId = id;
        }
        return id;
    }

    private static String rawPath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String contextPath = request.getContextPath();
        if (contextPath == null || contextPath.isEmpty() || contextPath.equals("/")) {
            return uri;
        }
        return uri.substring(contextPath.length());
    }

}
