package dev.apigateway.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.net.URI;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpEndpoint;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * The upstream call's client span, from Camel's own send events around the http producer: whatever a route's
 * steps look like (one upstream, several targets, a retry), each request the producer sends is one span, child of
 * the request's server span, and the upstream gets that span as the parent in {@code traceparent} (with the
 * incoming {@code tracestate}); the client's own two headers are replaced, never forwarded beside the gateway's.
 *
 * <p>Registered only while tracing is on ({@link TracingConfiguration}); Camel Spring Boot adds every
 * {@code EventNotifier} bean to the context.
 */
public final class UpstreamSpans extends EventNotifierSupport {

    static final String PROPERTY = "gateway.upstreamSpan";

    private static final TextMapSetter<Message> HEADERS = (message, key, value) -> message.setHeader(key, value);

    public UpstreamSpans() {
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof ExchangeSendingEvent || event instanceof ExchangeSentEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof ExchangeSendingEvent sending && sending.getEndpoint() instanceof HttpEndpoint http) {
            sending(sending.getExchange(), http);
        } else if (event instanceof ExchangeSentEvent sent && sent.getEndpoint() instanceof HttpEndpoint) {
            sent(sent.getExchange());
        }
    }

    private static void sending(Exchange exchange, HttpEndpoint endpoint) {
        RequestSpan request = RequestSpan.of(exchange);
        if (request == null) {
            return;
        }
        Message message = exchange.getMessage();
        URI base = endpoint.getHttpUri();
        String method = String.valueOf(message.getHeader(Exchange.HTTP_METHOD));
        String path = message.getHeader(Exchange.HTTP_PATH, String.class);
        String url = base.getScheme() + "://" + base.getAuthority() + (base.getRawPath() == null ? "" : base.getRawPath())
                + (path == null ? "" : path);
        int port = base.getPort() != -1 ? base.getPort() : "https".equalsIgnoreCase(base.getScheme()) ? 443 : 80;
        Span span = request.tracer().startUpstream(method, url, base.getHost(), port);
        message.removeHeader(GatewayTracer.TRACEPARENT);
        message.removeHeader(GatewayTracer.TRACESTATE);
        request.tracer().inject(span, message, HEADERS);
        exchange.setProperty(PROPERTY, new Call(span, message.getHeader(GatewayTracer.TRACEPARENT),
                message.getHeader(GatewayTracer.TRACESTATE)));
    }

    private static void sent(Exchange exchange) {
        Call call = exchange.getProperty(PROPERTY, Call.class);
        if (call == null) {
            return;
        }
        exchange.removeProperty(PROPERTY);
        Span span = call.span();
        // the headers sent upstream stay on the message with the answer's: they are not the client's answer
        // (an upstream's own traceparent in its answer is another value and stays)
        Message message = exchange.getMessage();
        if (call.traceparent() != null && message.getHeader(GatewayTracer.TRACEPARENT) == call.traceparent()) {
            message.removeHeader(GatewayTracer.TRACEPARENT);
        }
        if (call.tracestate() != null && message.getHeader(GatewayTracer.TRACESTATE) == call.tracestate()) {
            message.removeHeader(GatewayTracer.TRACESTATE);
        }
        Exception failure = exchange.getException();
        if (failure != null) {
            GatewayTracer.failed(span, failure);
        } else {
            Integer status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            if (status != null) {
                span.setAttribute("http.response.status_code", (long) status);
                if (status >= 400) {
                    // the client side of the semantic conventions: any 4xx or 5xx answer is an error
                    span.setAttribute("error.type", Integer.toString(status));
                    span.setStatus(StatusCode.ERROR);
                }
            }
        }
        span.end();
    }

    /** The upstream call in flight: its span and the header values sent (compared by identity afterwards). */
    private record Call(Span span, Object traceparent, Object tracestate) {
    }
}
