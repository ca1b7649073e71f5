package dev.apigateway.proxy;

import dev.apigateway.error.ErrorAnswer;
import dev.apigateway.error.GatewayError;
import dev.apigateway.observability.ContextAwareEventBuilder;
import dev.apigateway.observability.GatewayMetrics;
import dev.apigateway.tracing.GatewayTracer;
import dev.apigateway.tracing.RequestSpan;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpBinding;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

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

    /** Log-context keys of the request's route and client, beside {@link RequestIdFilter#MDC_KEY}. */
    public static final String MDC_ROUTE = "route";
    public static final String MDC_CLIENT_IP = "client_ip";

    private final ProxySettings settings;
    private final GatewayMetrics metrics;
    private final GatewayRouteTable table;
    private final GatewayTracer tracer;
    private volatile String routeId;
    private final SpringBootPlatformHttpBinding responseBinding;
    private final ClientResponseHeaderFilterStrategy responseFilter = new ClientResponseHeaderFilterStrategy();
    private final ClientAnswerWriter answerWriter = new ClientAnswerWriter(responseFilter);
    /** Requests past the state check and not yet answered; see {@link #drain()}. */
    private final java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean draining;

    /** The methods the http producer can send upstream. */
    private static final java.util.Set<String> FORWARDABLE_METHODS = java.util.Arrays
            .stream(org.apache.camel.component.http.HttpMethods.values()).map(Enum::name)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** The longest a stopping consumer waits for the requests it admitted (a route's own graceful stop allows 5 s). */
    static final long DRAIN_TIMEOUT_MILLIS = 5_000;

    public GatewayHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor, ProxySettings settings,
                               GatewayMetrics metrics, GatewayRouteTable table, GatewayTracer tracer) {
        super(endpoint, processor, Runnable::run);
        this.settings = settings;
        this.metrics = metrics;
        this.table = table;
        this.tracer = tracer;
        this.responseBinding = new SpringBootPlatformHttpBinding();
        this.responseBinding.setHeaderFilterStrategy(responseFilter);
        this.responseBinding.setMuteException(true);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        register();
    }

    private void register() {
        PlatformHttpEndpoint endpoint = getEndpoint();
        if (GatewayRouteTable.servable(endpoint.getPath())) {
            table.register(this, endpoint.getPath(), endpoint.isMatchOnUriPrefix(), endpoint.getHttpMethodRestrict());
        }
    }

    @Override
    protected void doStop() throws Exception {
        table.unregister(this);
        drain();
        super.doStop();
    }

    /** Camel suspends a consumer before it drains and stops its route: from then on new requests go elsewhere. */
    @Override
    protected void doSuspend() throws Exception {
        table.unregister(this);
        drain();
        super.doSuspend();
    }

    @Override
    protected void doResume() throws Exception {
        super.doResume();
        register();
    }

    /**
     * Called by Spring MVC, for the consumers whose path {@link GatewayDispatchFilter} leaves to it (paths with
     * {@code {templates}}) and for a request that reached a stopped consumer's stale mapping. Returning
     * {@code null} tells Spring MVC the request is handled: the answer is already written.
     */
    @Override
    public java.util.concurrent.CompletableFuture<Void> service(HttpServletRequest request, HttpServletResponse response) {
        serve(request, response, RequestIdFilter.assign(request, response));
        return null;
    }

    /** Handles one request end to end on the calling thread: binding, the route, the answer. */
    void serve(HttpServletRequest request, HttpServletResponse response, String requestId) {
        // the server span (tracing on only): current from here, so every line logged for the request has its ids
        RequestSpan span = tracer.on() ? startSpan(request, requestId) : null;
        try {
            handle(request, response, requestId, span);
            metrics.requestCompleted(routeId(), response.getStatus());
        } catch (Exception e) {
            ContextAwareEventBuilder.of(LOG.atWarn()).setCause(e).addKeyValue("event", "gateway_error")
                    .addKeyValue("request_id", requestId)
                    .log("Request failed outside the route: {}", e.toString());
            try {
                ErrorAnswer.write(response, GatewayError.INTERNAL_ERROR, "the gateway failed to handle the request",
                        requestId);
            } catch (IOException ignored) {
                // the client is gone
            }
        } finally {
            MDC.remove(MDC_ROUTE);
            MDC.remove(MDC_CLIENT_IP);
            if (span != null) {
                span.end(response.getStatus());
            }
        }
    }

    private RequestSpan startSpan(HttpServletRequest request, String requestId) {
        PlatformHttpEndpoint endpoint = getEndpoint();
        String routePath = endpoint.isMatchOnUriPrefix() ? endpoint.getPath() + "/*" : endpoint.getPath();
        RequestSpan span = tracer.startRequest(request, routeId(), routePath);
        span.attribute("gateway.request.id", requestId);
        return span;
    }

    private void handle(HttpServletRequest request, HttpServletResponse response, String requestId, RequestSpan span)
            throws Exception {
        if (!FORWARDABLE_METHODS.contains(request.getMethod())) {
            // the http producer has no such method to send (Tomcat takes any token as a method)
            ErrorAnswer.write(response, GatewayError.METHOD_NOT_ALLOWED,
                    "method '" + request.getMethod() + "' is not forwarded", requestId);
            return;
        }
        String rawPath = rawPath(request);
        String refused = PathGuard.reject(rawPath);
        String forwardPath = refused == null ? PathGuard.below(getEndpoint().getPath(), rawPath) : null;
        if (refused == null && forwardPath == null) {
            refused = "the path is not below " + getEndpoint().getPath();
        }
        if (refused != null) {
            ErrorAnswer.write(response, GatewayError.BAD_REQUEST, refused, requestId);
            return;
        }
        long contentLength = request.getContentLengthLong();
        if (contentLength > settings.maxRequestBodyBytes()) {
            ErrorAnswer.write(response, GatewayError.PAYLOAD_TOO_LARGE,
                    "request body is larger than " + settings.maxRequestBodyBytes() + " bytes", requestId);
            return;
        }

        // Counted before the route's state is read: a consumer being suspended or stopped waits for the requests
        // it admitted, and a request that comes after sees the state and goes to the path's next consumer.
        admitted.incrementAndGet();
        try {
            if (settings.bulkhead().refuse(routeId(), response, requestId)) {
                return; // 503 route_busy: the route has its most requests in flight
            }
            if (!isRunAllowed() || isSuspended()) {
                redispatch(request, response, requestId);
                return;
            }
            process(request, response, createExchange(false), rawPath, forwardPath, requestId, contentLength, span);
        } finally {
            RouteBulkhead.release();
            if (admitted.decrementAndGet() == 0 && draining) {
                synchronized (admitted) {
                    admitted.notifyAll();
                }
            }
        }
    }

    /**
     * Waits (at most {@link #DRAIN_TIMEOUT_MILLIS}) for the requests this consumer admitted: Camel's graceful stop
     * then finds each of them in flight on the route, and none slips in between the state check and the route.
     */
    private void drain() throws InterruptedException {
        draining = true;
        long deadline = System.currentTimeMillis() + DRAIN_TIMEOUT_MILLIS;
        synchronized (admitted) {
            long left;
            while (admitted.get() > 0 && (left = deadline - System.currentTimeMillis()) > 0) {
                admitted.wait(left);
            }
        }
        draining = false;
    }

    /**
     * This consumer stopped after the request was matched to it (its route is being replaced or removed): the
     * request goes to the path's consumer now, which waits for the new route while a swap holds the path.
     */
    private void redispatch(HttpServletRequest request, HttpServletResponse response, String requestId)
            throws IOException {
        GatewayRouteTable.Match next = table.lookup(rawPath(request), request.getMethod());
        if (next != null && next.consumer() != null && next.consumer() != this) {
            next.consumer().serve(request, response, requestId);
            return;
        }
        ErrorAnswer.write(response, GatewayError.NOT_FOUND, "no route serves " + request.getRequestURI(), requestId);
    }

    private void process(HttpServletRequest request, HttpServletResponse response, Exchange exchange, String rawPath,
                         String forwardPath, String requestId, long contentLength, RequestSpan span)
            throws Exception {
        exchange.setPattern(ExchangePattern.InOut);
        PlatformHttpMessage message = new PlatformHttpMessage(request, response, exchange, responseBinding, true);
        exchange.setIn(message);
        RequestBinder.bind(settings, request, exchange, message, rawPath, forwardPath, requestId, contentLength);
        MDC.put(MDC_ROUTE, routeId());
        MDC.put(MDC_CLIENT_IP, exchange.getProperty(GatewayExchange.CLIENT_IP, String.class));
        if (span != null) {
            span.attach(exchange, exchange.getProperty(GatewayExchange.CLIENT_IP, String.class),
                    exchange.getProperty(GatewayExchange.PEER, String.class));
        }

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
            writeResponse(exchange, request, response, requestId);
        } finally {
            doneUoW(exchange);
            releaseExchange(exchange, false);
        }
    }

    private void writeResponse(Exchange exchange, HttpServletRequest request, HttpServletResponse response,
                               String requestId) throws IOException {
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
            ErrorAnswer.write(response, GatewayError.INTERNAL_ERROR, "the gateway failed to handle the request",
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
        answerWriter.write(exchange, request, response);
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

    static String rawPath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String contextPath = request.getContextPath();
        if (contextPath == null || contextPath.isEmpty() || contextPath.equals("/")) {
            return uri;
        }
        return uri.substring(contextPath.length());
    }

}
