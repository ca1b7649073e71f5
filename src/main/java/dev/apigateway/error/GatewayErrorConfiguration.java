package dev.apigateway.error;

import dev.apigateway.circuitbreaker.CircuitOpenException;
import dev.apigateway.observability.ContextAwareEventBuilder;
import dev.apigateway.observability.GatewayEvents;
import dev.apigateway.proxy.ProxyHeaders;
import dev.apigateway.proxy.UpstreamFailures;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Every failure of every gateway route, Java or YAML, becomes one of the contract's answers ({@link GatewayError})
 * here and nowhere else; each answer is counted ({@link GatewayErrorMetrics}). Routes opt in with
 * {@code routeConfigurationId("gateway-errors")}.
 *
 * <p>One {@code onException(Exception.class)} and a classification of our own rather than one clause per class:
 * Camel matches each clause against every cause, innermost first, and takes the closest class at any depth, so
 * the catch-all clause beat a specific one whenever the specific exception had a cause (a pool lease past its
 * deadline, a {@code RequestFailedException} around a {@code DeadlineTimeoutException}, was a 500). The causes are
 * walked here outermost first, with {@link UpstreamFailures}, the table the circuit breaker counts by.
 */
@Component
public class GatewayErrorConfiguration extends RouteConfigurationBuilder {

    public static final String ID = "gateway-errors";

    private static final Logger LOG = LoggerFactory.getLogger(GatewayErrorConfiguration.class);

    private final GatewayErrorMetrics metrics;

    /** Without metrics: for the throwaway Camel context that validates route files. */
    public GatewayErrorConfiguration() {
        this(null);
    }

    @Autowired
    public GatewayErrorConfiguration(GatewayErrorMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void configuration() {
        routeConfiguration(ID)
                .onException(Exception.class).handled(true).process(this::answer).end();
    }

    void answer(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        GatewayError error = answer(exchange, caught);
        // the catalogue's code on the request's span (tracing on): rate_limited, circuit_open, upstream_timeout...
        dev.apigateway.tracing.RequestSpan.attribute(exchange, "gateway.error.code", error.code());
        if (metrics != null) {
            metrics.answered(exchange.getFromRouteId(), error);
        }
    }

    private static GatewayError answer(Exchange exchange, Throwable caught) {
        CircuitOpenException open = find(caught, CircuitOpenException.class);
        if (open != null) {
            return write(exchange, GatewayError.CIRCUIT_OPEN, "the circuit breaker of route " + open.routeId()
                    + " is open", Map.of(ProxyHeaders.RETRY_AFTER, Long.toString(open.retryAfterSeconds())));
        }
        GatewayException gateway = find(caught, GatewayException.class);
        if (gateway != null) {
            return write(exchange, gateway.error(), gateway.getMessage(), gateway.headers());
        }
        PayloadTooLargeException tooLarge = find(caught, PayloadTooLargeException.class);
        if (tooLarge != null) {
            return write(exchange, GatewayError.PAYLOAD_TOO_LARGE, tooLarge.getMessage(), Map.of());
        }
        UpstreamFailures.Kind kind = UpstreamFailures.kind(caught);
        if (kind == UpstreamFailures.Kind.BUSY) {
            return write(exchange, GatewayError.UPSTREAM_BUSY, GatewayError.UPSTREAM_BUSY.defaultMessage(), Map.of());
        }
        if (kind == UpstreamFailures.Kind.TIMEOUT) {
            GatewayEvents.upstreamTimeout(exchange);
            return write(exchange, GatewayError.UPSTREAM_TIMEOUT, GatewayError.UPSTREAM_TIMEOUT.defaultMessage(),
                    Map.of());
        }
        if (kind == UpstreamFailures.Kind.UNREACHABLE) {
            GatewayEvents.upstreamUnreachable(exchange);
            return write(exchange, GatewayError.UPSTREAM_UNREACHABLE,
                    GatewayError.UPSTREAM_UNREACHABLE.defaultMessage(), Map.of());
        }
        ContextAwareEventBuilder.of(LOG.atError()).setCause(caught).addKeyValue("event", "gateway_error")
                .addKeyValue("route", exchange.getFromRouteId())
                .log("Unexpected failure in route {}", exchange.getFromRouteId());
        return write(exchange, GatewayError.INTERNAL_ERROR, GatewayError.INTERNAL_ERROR.defaultMessage(), Map.of());
    }

    private static GatewayError write(Exchange exchange, GatewayError error, String message,
                                      Map<String, String> headers) {
        ErrorAnswer.write(exchange, error, message, headers);
        return error;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
