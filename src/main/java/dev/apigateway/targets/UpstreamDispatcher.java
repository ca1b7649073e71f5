package dev.apigateway.targets;

import dev.apigateway.observability.RouteMeterBinder;
import dev.apigateway.observability.UpstreamTargetMetrics;
import dev.apigateway.observability.UpstreamTargetMetrics.Outcome;
import dev.apigateway.proxy.RequestBodyStream;
import dev.apigateway.proxy.UpstreamFailures;
import dev.apigateway.routes.RouteSettings;
import dev.apigateway.routes.RouteSettingsLifecycle;
import dev.apigateway.routes.RouteSettingsRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;

/**
 * The upstream call ({@code gatewayUpstream}, after {@code gatewayForward}): picks one of the route's targets by
 * weight among those not ejected, calls it with the http producer, and reports the attempt to the target's passive
 * health and meters. A failed attempt goes to another target once, within the route's retry budget, when it is safe:
 * <ul>
 * <li>the connection could not be made (the request never left): any method;</li>
 * <li>the connection broke before the answer's head: {@code GET HEAD OPTIONS PUT DELETE} only;</li>
 * <li>never when the request's body was already (partly) read from the client: it streams and is not kept.</li>
 * </ul>
 * A timeout is not retried (the upstream may still be working on it), nor an upstream answer, 5xx included: it is the
 * upstream's answer. The last attempt's outcome is the request's: the route's breaker and error answers see it as
 * before, so a target that failed but whose request was answered by another does not count against the route.
 */
public class UpstreamDispatcher implements Processor, RouteMeterBinder {

    public static final String STEP = "gatewayUpstream";

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    private final RouteSettingsRegistry routes;
    private final Supplier<CamelContext> camel;
    private final UpstreamTargetMetrics metrics;
    private final EjectionPolicy ejection;
    private final Clock clock;
    private final Map<String, RouteTargets> byRoute = new ConcurrentHashMap<>();

    public UpstreamDispatcher(RouteSettingsRegistry routes, Supplier<CamelContext> camel, UpstreamTargetMetrics metrics,
                              EjectionPolicy ejection, Clock clock) {
        this.routes = routes;
        this.camel = camel;
        this.metrics = metrics;
        this.ejection = ejection;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        RouteTargets route = targets(exchange.getFromRouteId(), routes.forRoute(exchange.getFromRouteId()));
        long now = clock.millis();
        if (route.producers.length == 1) {
            attempt(route, 0, exchange, now);
            rethrow(exchange);
            return;
        }
        boolean[] eligible = route.health.available(now);
        int target = route.selector.pick(eligible);
        route.budget.onRequest(now);
        boolean failed = attempt(route, target, exchange, now);
        if (failed && retryable(route, exchange)) {
            eligible[target] = false;
            int next = route.selector.pick(eligible);
            if (next >= 0) {
                if (route.budget.tryRetry(now)) {
                    route.meters.retried();
                    exchange.setException(null);
                    attempt(route, next, exchange, clock.millis());
                } else {
                    route.meters.retryRefused();
                }
            }
        }
        rethrow(exchange);
    }

    /** @return whether the attempt failed without an answer (the exception is left on the exchange) */
    private boolean attempt(RouteTargets route, int target, Exchange exchange, long now) {
        long start = System.nanoTime();
        try {
            route.producers[target].process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        long nanos = System.nanoTime() - start;
        Exception failure = exchange.getException();
        if (failure == null) {
            Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            boolean serverError = status != null && status >= 500;
            route.meters.attempt(target, serverError ? Outcome.SERVER_ERROR : Outcome.SUCCESS, nanos);
            if (serverError) {
                route.health.onFailure(target, false, now);
            } else {
                route.health.onSuccess(target);
            }
            return false;
        }
        UpstreamFailures.Kind kind = UpstreamFailures.kind(failure);
        route.meters.attempt(target, kind == UpstreamFailures.Kind.TIMEOUT ? Outcome.TIMEOUT
                : kind == UpstreamFailures.Kind.UNREACHABLE ? Outcome.UNREACHABLE : Outcome.FAILED, nanos);
        if (UpstreamFailures.isUpstreamFailure(failure)) {
            route.health.onFailure(target, UpstreamFailures.notConnected(failure), now);
        }
        return true;
    }

    private static boolean retryable(RouteTargets route, Exchange exchange) {
        if (!route.upstream.retries() || !bodyNotRead(exchange.getMessage())) {
            return false;
        }
        Exception failure = exchange.getException();
        if (UpstreamFailures.notConnected(failure)) {
            return true;
        }
        return UpstreamFailures.resetBeforeAnswer(failure)
                && IDEMPOTENT.contains(exchange.getProperty(dev.apigateway.proxy.GatewayExchange.METHOD, String.class));
    }

    /** A body the gateway streams from the client may go again only if none of it was read. */
    private static boolean bodyNotRead(Message in) {
        Object body = in.getBody();
        if (body instanceof InputStreamEntity entity) {
            try {
                return entity.getContent() instanceof RequestBodyStream stream && !stream.started();
            } catch (java.io.IOException e) {
                return false;
            }
        }
        return !(body instanceof java.io.InputStream);
    }

    private static void rethrow(Exchange exchange) throws Exception {
        Exception failure = exchange.getException();
        if (failure != null) {
            exchange.setException(null);
            throw failure;
        }
    }

    private RouteTargets targets(String routeId, RouteSettings settings) throws Exception {
        RouteTargets current = byRoute.get(routeId);
        if (current != null && current.matches(settings)) {
            return current;
        }
        synchronized (byRoute) {
            current = byRoute.get(routeId);
            if (current == null || !current.matches(settings)) {
                current = new RouteTargets(camel.get(), settings, ejection, metrics, clock);
                byRoute.put(routeId, current);
            }
            return current;
        }
    }

    @Override
    public String step() {
        return STEP;
    }

    /** The route's targets, health and meters, made (meters at zero) as the route is added. */
    @Override
    public void bind(String routeId) {
        CamelContext context = camel.get();
        Route route = context.getRoute(routeId);
        RouteSettings settings = route != null ? RouteSettingsLifecycle.settingsOf(route, routes) : null;
        try {
            targets(routeId, settings != null ? settings : routes.forRoute(routeId));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the upstream of route " + routeId, e);
        }
    }

    @Override
    public void unbind(String routeId) {
        synchronized (byRoute) {
            byRoute.remove(routeId);
            metrics.unbind(routeId);
        }
    }
}
