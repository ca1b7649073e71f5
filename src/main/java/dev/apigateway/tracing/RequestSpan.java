package dev.apigateway.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import org.apache.camel.Exchange;

/**
 * One request's server span, current on the request's thread from {@link GatewayTracer#startRequest} to
 * {@link #end(int)}. The steps of the route reach it through the exchange ({@link #attribute(Exchange, String,
 * String)}, {@link #event(Exchange, String)}): one property lookup, nothing when tracing is off.
 */
public final class RequestSpan {

    /** Exchange property holding the request's span (only while tracing is on). */
    public static final String PROPERTY = "gateway.requestSpan";

    public static final String ROUTE_ID = "gateway.route.id";

    private final Span span;
    private final Scope scope;
    private final GatewayTracer tracer;

    RequestSpan(Span span, Scope scope, GatewayTracer tracer) {
        this.span = span;
        this.scope = scope;
        this.tracer = tracer;
    }

    /** Makes the span reachable from the exchange's steps (the limiter, the breaker, the upstream call). */
    public void attach(Exchange exchange, String clientAddress, String peerAddress) {
        exchange.setProperty(PROPERTY, this);
        if (clientAddress != null) {
            span.setAttribute("client.address", clientAddress);
        }
        if (peerAddress != null) {
            span.setAttribute("network.peer.address", peerAddress);
        }
    }

    public void attribute(String key, String value) {
        span.setAttribute(key, value);
    }

    /** Sets an attribute on the exchange's request span, if it has one. */
    public static void attribute(Exchange exchange, String key, String value) {
        RequestSpan request = of(exchange);
        if (request != null) {
            request.span.setAttribute(key, value);
        }
    }

    /** Adds an event to the exchange's request span, if it has one. */
    public static void event(Exchange exchange, String name) {
        RequestSpan request = of(exchange);
        if (request != null) {
            request.span.addEvent(name);
        }
    }

    public static RequestSpan of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, RequestSpan.class);
    }

    GatewayTracer tracer() {
        return tracer;
    }

    /**
     * Ends the span with the status the client got: a 5xx is an error (the server side of the semantic
     * conventions: a 4xx is the client's), and leaves the request's thread as it found it.
     */
    public void end(int status) {
        try {
            span.setAttribute("http.response.status_code", (long) status);
            if (status >= 500) {
                span.setAttribute("error.type", Integer.toString(status));
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        } finally {
            scope.close();
        }
    }
}
