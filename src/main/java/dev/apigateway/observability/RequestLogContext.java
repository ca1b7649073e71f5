package dev.apigateway.observability;

import dev.apigateway.proxy.GatewayExchange;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Ordered;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Puts the request's {@code route} and {@code client_ip} in the log context (MDC) while a gateway route handles it,
 * next to the {@code request_id} the {@code RequestIdFilter} put there. Every line the request causes then carries
 * them, also those written by code that knows nothing of the exchange: a circuit breaker transition, a store error.
 *
 * <p>This works because the gateway's consumer runs the exchange on the servlet thread, from route entry to the
 * end of the unit of work; the route policy is applied to every route, Java and YAML alike (Camel adds every
 * {@link RoutePolicyFactory} bean to the context).
 */
@Component
public class RequestLogContext implements RoutePolicyFactory {

    public static final String ROUTE = "route";
    public static final String CLIENT_IP = "client_ip";

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        return new MdcPolicy();
    }

    private static final class MdcPolicy extends RoutePolicySupport {
        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            MDC.put(ROUTE, route.getRouteId());
            String clientIp = GatewayExchange.clientIp(exchange);
            if (clientIp != null) {
                MDC.put(CLIENT_IP, clientIp);
            }
            exchange.getExchangeExtension().addOnCompletion(CLEAR);
        }
    }

    /**
     * Clears the context at the very end of the unit of work, not when the route's processors are done: lines
     * written after the route (the circuit breaker recording the upstream's outcome, writing the answer) still
     * carry it.
     */
    private static final SynchronizationAdapter CLEAR = new Clear();

    private static final class Clear extends SynchronizationAdapter implements Ordered {
        @Override
        public void onDone(Exchange exchange) {
            MDC.remove(ROUTE);
            MDC.remove(CLIENT_IP);
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST;
        }
    }
}
