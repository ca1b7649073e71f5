package dev.apigateway.error;

import dev.apigateway.observability.ContextAwareEventBuilder;
import dev.apigateway.observability.GatewayEvents;
import dev.apigateway.circuitbreaker.CircuitOpenException;
import dev.apigateway.proxy.ProxyHeaders;
import dev.apigateway.proxy.UpstreamFailures;
import java.net.SocketTimeoutException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Every failure of every gateway route, Java or YAML, becomes one of the contract's answers here and nowhere else.
 * Routes opt in with {@code routeConfigurationId("gateway-errors")}. Camel picks the most specific class, so a
 * connect timeout (a {@link SocketTimeoutException} subclass) is a 502, not a 504.
 */
@Component
public class GatewayErrorConfiguration extends RouteConfigurationBuilder {

    public static final String ID = "gateway-errors";

    private static final Logger LOG = LoggerFactory.getLogger(GatewayErrorConfiguration.class);

    @Override
    public void configuration() {
        routeConfiguration(ID)
                .onException(CircuitOpenException.class).handled(true)
                    .process(e -> {
                        CircuitOpenException ex = caught(e, CircuitOpenException.class);
                        ErrorAnswer.write(e, 503, ErrorCodes.CIRCUIT_OPEN, "the circuit breaker of route "
                                + ex.routeId() + " is open", java.util.Map.of(ProxyHeaders.RETRY_AFTER,
                                Long.toString(Math.max(1, ex.retryAfterSeconds()))));
                    })
                .end()
                .onException(GatewayException.class).handled(true)
                    .process(e -> {
                        GatewayException ex = caught(e, GatewayException.class);
                        ErrorAnswer.write(e, ex.status(), ex.code(), ex.getMessage(), ex.headers());
                    })
                .end()
                .onException(PayloadTooLargeException.class).handled(true)
                    .process(e -> ErrorAnswer.write(e, 413, ErrorCodes.PAYLOAD_TOO_LARGE,
                            caught(e, PayloadTooLargeException.class).getMessage(), java.util.Map.of()))
                .end()
                .onException(SocketTimeoutException.class).handled(true)
                    .process(e -> {
                        GatewayEvents.upstreamTimeout(e);
                        ErrorAnswer.write(e, 504, ErrorCodes.UPSTREAM_TIMEOUT,
                                "the upstream did not answer in time", java.util.Map.of());
                    })
                .end()
                .onException(UpstreamFailures.unreachable()).handled(true)
                    .process(e -> {
                        GatewayEvents.upstreamUnreachable(e);
                        ErrorAnswer.write(e, 502, ErrorCodes.UPSTREAM_UNREACHABLE,
                                "the upstream could not be reached", java.util.Map.of());
                    })
                .end()
                .onException(ConnectionRequestTimeoutException.class).handled(true)
                    .process(e -> ErrorAnswer.write(e, 503, ErrorCodes.UPSTREAM_BUSY,
                            "every connection to the upstream is in use", java.util.Map.of("Retry-After", "1")))
                .end()
                .onException(Exception.class).handled(true)
                    .process(e -> {
                        Exception ex = e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
                        ContextAwareEventBuilder.of(LOG.atError()).setCause(ex).addKeyValue("event", "gateway_error")
                                .addKeyValue("route", e.getFromRouteId())
                                .log("Unexpected failure in route {}", e.getFromRouteId());
                        ErrorAnswer.write(e, 500, ErrorCodes.INTERNAL_ERROR,
                                "the gateway failed to handle the request", java.util.Map.of());
                    })
                .end();
    }

    private static <T extends Throwable> T caught(Exchange exchange, Class<T> type) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        while (t != null && !type.isInstance(t)) {
            t = t.getCause();
        }
        return type.cast(t);
    }
}
