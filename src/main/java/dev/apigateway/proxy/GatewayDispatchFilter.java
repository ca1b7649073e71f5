package dev.apigateway.proxy;

import dev.apigateway.error.ErrorAnswer;
import dev.apigateway.error.GatewayError;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.MDC;

/**
 * The front door of every gateway route: the first filter of the servlet chain hands a request whose path a
 * running gateway consumer serves ({@link GatewayRouteTable}) straight to that consumer, on the container's thread.
 * Everything else ({@code /health}, the actuator on the public port, unknown paths answered 404) goes on down the
 * chain to Spring MVC. Skipping Spring MVC for proxied traffic saves its filters, the handler lookup across one
 * mapping per HTTP method per route, and the reflective handler call: about a fifth of the gateway's CPU per
 * request in the profile that led to it.
 */
public final class GatewayDispatchFilter implements Filter {

    private final GatewayRouteTable routes;
    private final RequestLimitsFilter limits;

    /** @param limits the request deadline and body rate applied around each proxied request */
    public GatewayDispatchFilter(GatewayRouteTable routes, RequestLimitsFilter limits) {
        this.routes = routes;
        this.limits = limits;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        GatewayRouteTable.Match match = routes.lookup(GatewayHttpConsumer.rawPath(request), request.getMethod());
        if (match == null) {
            chain.doFilter(req, res);
            return;
        }
        String requestId = RequestIdFilter.assign(request, response);
        try {
            if (match.methodNotAllowed()) {
                ErrorAnswer.write(response, GatewayError.METHOD_NOT_ALLOWED,
                        "method " + request.getMethod() + " is not allowed on " + request.getRequestURI(), requestId);
                return;
            }
            GatewayHttpConsumer consumer = match.consumer();
            limits.doFilter(request, response,
                    (rq, rs) -> consumer.serve((HttpServletRequest) rq, (HttpServletResponse) rs, requestId));
        } finally {
            MDC.remove(RequestIdFilter.MDC_KEY);
        }
    }
}
