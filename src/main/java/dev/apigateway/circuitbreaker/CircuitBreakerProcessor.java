package dev.apigateway.circuitbreaker;

import dev.apigateway.proxy.GatewayExchange;
import dev.apigateway.proxy.UpstreamFailures;
import dev.apigateway.routes.RouteSettingsRegistry;
import dev.apigateway.tracing.RequestSpan;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The breaker step ({@code gatewayCircuitBreaker}): before the upstream call it takes a permit from the route's
 * breaker, or throws {@link CircuitOpenException} (503 {@code circuit_open}) without the upstream being called;
 * once the route is done (the upstream's answer head is in) it reports the outcome, and a failure after all if the
 * request deadline then cuts the body still arriving. An upstream 5xx, a timeout or an unreachable upstream is a
 * failure; any other answer of the upstream a success. Failures of the gateway's own (a body over the limit while
 * it streamed, a bug) are neither: they say nothing about the upstream.
 */
public class CircuitBreakerProcessor implements Processor {

    /** Attribute of the request's span: {@code permitted}, {@code probe} (the half-open trial) or {@code rejected}. */
    public static final String SPAN_DECISION = "gateway.circuit_breaker.decision";

    private final BreakerRegistry breakers;
    private final RouteSettingsRegistry routes;

    public CircuitBreakerProcessor(BreakerRegistry breakers, RouteSettingsRegistry routes) {
        this.breakers = breakers;
        this.routes = routes;
    }

    @Override
    public void process(Exchange exchange) {
        String routeId = exchange.getFromRouteId();
        BreakerPolicy policy = routes.forRoute(routeId).breaker();
        if (policy == null) {
            return;
        }
        Permit permit;
        try {
            permit = breakers.acquire(routeId, policy);
        } catch (CircuitOpenException e) {
            RequestSpan.attribute(exchange, SPAN_DECISION, "rejected");
            throw e;
        }
        RequestSpan.attribute(exchange, SPAN_DECISION, permit.probe() ? "probe" : "permitted");
        // Recorded when the upstream's answer head is in, before the client gets the answer: the client's next
        // request already meets the breaker this one moved.
        GatewayExchange.afterRoute(exchange, new Outcome(permit)::record);
    }

    private final class Outcome {
        private final Permit permit;

        Outcome(Permit permit) {
            this.permit = permit;
        }

        void record(Exchange exchange) {
            Throwable failure = exchange.getException() != null ? exchange.getException()
                    : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            if (failure != null) {
                if (UpstreamFailures.isUpstreamFailure(failure)) {
                    breakers.onFailure(permit);
                }
                return;
            }
            Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            if (status != null && status >= 500) {
                breakers.onFailure(permit);
            } else {
                breakers.onSuccess(permit);
                // the body still has to come: cut by the request deadline, it is the upstream's failure after all
                GatewayExchange.afterCut(exchange, () -> breakers.onFailure(permit));
            }
        }
    }
}
