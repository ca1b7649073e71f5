package dev.apigateway.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.function.Supplier;

/**
 * The gateway's spans, on the OpenTelemetry tracer and W3C propagator Spring Boot configured. {@link #OFF} when
 * tracing is off: {@link #on()} is then {@code false} and callers skip the rest.
 *
 * <p>Attribute names are OpenTelemetry's semantic conventions where one exists ({@code http.*}, {@code url.*},
 * {@code client.address}, {@code server.*}, {@code error.type}, {@code db.system.name}); the gateway's own are
 * under {@code gateway.}.
 */
public final class GatewayTracer {

    /** Tracing off: no span, no propagation of the gateway's own; incoming headers pass through untouched. */
    public static final GatewayTracer OFF = new GatewayTracer(null, null);

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    private static final TextMapGetter<HttpServletRequest> REQUEST_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpServletRequest request) {
            return Collections.list(request.getHeaderNames());
        }

        @Override
        public String get(HttpServletRequest request, String key) {
            return request == null ? null : request.getHeader(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final boolean on;

    public GatewayTracer(Tracer tracer, TextMapPropagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.on = tracer != null && propagator != null;
    }

    public boolean on() {
        return on;
    }

    /**
     * Starts the request's server span, the child of the client's {@code traceparent} when it has a valid one (a
     * missing or malformed one starts a new trace), and makes it current: log lines carry its ids from here on.
     * Only when {@link #on()}.
     *
     * @param routePath the consumer's configured path ({@code http.route}): low cardinality, never the request's
     */
    public RequestSpan startRequest(HttpServletRequest request, String routeId, String routePath) {
        Context parent = propagator.extract(Context.root(), request, REQUEST_HEADERS);
        Span span = tracer.spanBuilder(request.getMethod() + " " + routePath)
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute("http.request.method", request.getMethod())
                .setAttribute("http.route", routePath)
                .setAttribute("url.path", request.getRequestURI())
                .setAttribute("url.scheme", request.getScheme())
                .setAttribute(RequestSpan.ROUTE_ID, routeId)
                .startSpan();
        return new RequestSpan(span, span.makeCurrent(), this);
    }

    /**
     * Runs one call to the shared store in a client span, when tracing is on and a request's span is current;
     * otherwise (background calls: heartbeats, probes) just runs it.
     */
    public <T> T storeCall(String store, String operation, Supplier<T> call) {
        if (!on || !Span.current().getSpanContext().isValid()) {
            return call.get();
        }
        Span span = tracer.spanBuilder(store + " " + operation)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("db.system.name", store)
                .setAttribute("gateway.store.operation", operation)
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return call.get();
        } catch (RuntimeException e) {
            failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** A client span for the upstream call, child of the current (server) span, not yet current itself. */
    Span startUpstream(String method, String url, String host, int port) {
        return tracer.spanBuilder(method)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("http.request.method", method)
                .setAttribute("url.full", url)
                .setAttribute("server.address", host)
                .setAttribute("server.port", (long) port)
                .startSpan();
    }

    /** Writes {@code span}'s context as {@code traceparent} (and {@code tracestate}) through {@code setter}. */
    <C> void inject(Span span, C carrier, io.opentelemetry.context.propagation.TextMapSetter<C> setter) {
        propagator.inject(Context.current().with(span), carrier, setter);
    }

    static void failed(Span span, Throwable failure) {
        span.recordException(failure);
        span.setAttribute("error.type", failure.getClass().getName());
        span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
    }
}
