package dev.apigateway.observability;

import dev.apigateway.proxy.GatewayExchange;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contract's log events caused by a request, each with route, client address and request id (from the log
 * context when the request is being handled, otherwise from the exchange).
 */
public final class GatewayEvents {

    private static final Logger LOG = LoggerFactory.getLogger("dev.apigateway.events");

    private GatewayEvents() {
    }

    public static void upstreamTimeout(Exchange exchange) {
        ContextAwareEventBuilder.of(LOG.atWarn()).addKeyValue("event", "upstream_timeout")
                .addKeyValue("route", exchange.getFromRouteId())
                .addKeyValue("client_ip", GatewayExchange.clientIp(exchange))
                .addKeyValue("request_id", GatewayExchange.requestId(exchange))
                .log("Upstream timed out on route {}", exchange.getFromRouteId());
    }

    public static void upstreamUnreachable(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ContextAwareEventBuilder.of(LOG.atWarn()).addKeyValue("event", "upstream_unreachable")
                .addKeyValue("route", exchange.getFromRouteId())
                .addKeyValue("client_ip", GatewayExchange.clientIp(exchange))
                .addKeyValue("request_id", GatewayExchange.requestId(exchange))
                .addKeyValue("cause", cause != null ? cause.getClass().getSimpleName() : null)
                .log("Upstream unreachable on route {}: {}", exchange.getFromRouteId(),
                        cause != null ? cause.getMessage() : "");
    }

    /** A route's target was ejected by passive health: logged once per ejection. */
    public static void targetEjected(String route, String target, long forMillis) {
        LOG.atWarn().addKeyValue("event", "upstream_target_ejected").addKeyValue("route", route)
                .addKeyValue("target", target).addKeyValue("ejected_ms", forMillis)
                .log("Upstream target {} of route {} ejected for {} s", target, route, (forMillis + 999) / 1000);
    }

    /** An ejected target's time is up: it takes requests again (logged once). */
    public static void targetReturned(String route, String target) {
        LOG.atInfo().addKeyValue("event", "upstream_target_returned").addKeyValue("route", route)
                .addKeyValue("target", target)
                .log("Upstream target {} of route {} is back in rotation", target, route);
    }

    /** A target failed its active health check as many times in a row as the route allows: out of rotation. */
    public static void targetUnhealthy(String route, String target, String path) {
        LOG.atWarn().addKeyValue("event", "upstream_target_unhealthy").addKeyValue("route", route)
                .addKeyValue("target", target).addKeyValue("path", path)
                .log("Upstream target {} of route {} fails its health check GET {}", target, route, path);
    }

    /** A target passed its active health check again: back in rotation. */
    public static void targetHealthy(String route, String target) {
        LOG.atInfo().addKeyValue("event", "upstream_target_healthy").addKeyValue("route", route)
                .addKeyValue("target", target)
                .log("Upstream target {} of route {} passes its health check again", target, route);
    }
}
