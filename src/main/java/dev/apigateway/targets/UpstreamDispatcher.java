package dev.apigateway.targets;

import dev.apigateway.observability.RouteMeterBinder;
import dev.apigateway.observability.UpstreamTargetMetrics;
import dev.apigateway.observability.UpstreamTargetMetrics.Outcome;
import dev.apigateway.proxy.GatewayExchange;
import dev.apigateway.proxy.RequestBodyStream;
import dev.apigateway.proxy.UpstreamFailures;
import dev.apigateway.routes.RouteSettings;
import dev.apigateway.routes.RouteSettingsLifecycle;
import dev.apigateway.routes.RouteSettingsRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.Route;
import org.apache.camel.support.EventHelper;
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
public class UpstreamDispatcher implements Processor, RouteMeterBinder, AutoCloseable {

    public static final String STEP = "gatewayUpstream";

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    private final RouteSettingsRegistry routes;
    private final Supplier<CamelContext> camel;
    private final UpstreamTargetMetrics metrics;
    private final EjectionPolicy ejection;
    private final Clock clock;
    private final Map<String, RouteTargets> byRoute = new ConcurrentHashMap<>();
    /** Runs the routes' active health checks, if any has one: one daemon thread, made when first needed. */
    private ScheduledExecutorService checks;

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
        // never -1: at most half of the targets are ejected, and the active check never takes out all
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
        Producer producer = route.producers[target];
        // the events Camel's own to() sends around a producer: its event notifiers (tracing's upstream span,
        // camel-micrometer) see each attempt as a call of that target's endpoint
        boolean sending = EventHelper.notifyExchangeSending(exchange.getContext(), exchange, producer.getEndpoint());
        long start = System.nanoTime();
        try {
            producer.process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        long nanos = System.nanoTime() - start;
        if (sending) {
            EventHelper.notifyExchangeSent(exchange.getContext(), exchange, producer.getEndpoint(), nanos / 1_000_000);
        }
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
        if (UpstreamFailures.isUpstreamFailure(kind)) {
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
                && IDEMPOTENT.contains(exchange.getProperty(GatewayExchange.METHOD, String.class));
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
                RouteTargets replaced = current;
                current = new RouteTargets(camel.get(), settings, ejection, metrics, clock,
                        settings.upstream().healthCheck().enabled() ? checks() : null);
                byRoute.put(routeId, current);
                if (replaced != null) {
                    replaced.close();
                }
            }
            return current;
        }
    }

    @Override
    public String step() {
        return STEP;
    }

    @Override
    public void bind(String routeId) {
        make(routeId, routes.forRoute(routeId));
    }

    /**
     * The route's targets, health and meters, made (meters at zero) as the route is added: from its own template
     * parameters, as the settings registry may not have them yet.
     */
    @Override
    public void bind(Route route) {
        make(route.getRouteId(), RouteSettingsLifecycle.settingsOf(route, routes));
    }

    private void make(String routeId, RouteSettings settings) {
        try {
            targets(routeId, settings);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the upstream of route " + routeId, e);
        }
    }

    @Override
    public void unbind(String routeId) {
        synchronized (byRoute) {
            RouteTargets removed = byRoute.remove(routeId);
            if (removed != null) {
                removed.close();
            }
            metrics.unbind(routeId);
        }
    }

    /** The state of every route's targets on this instance, for {@link UpstreamsEndpoint}. */
    Map<String, List<UpstreamsEndpoint.TargetView>> views() {
        long now = clock.millis();
        Map<String, List<UpstreamsEndpoint.TargetView>> out = new java.util.TreeMap<>();
        byRoute.forEach((route, targets) -> out.put(route, targets.views(now)));
        return out;
    }

    private ScheduledExecutorService checks() {
        if (checks == null) {
            checks = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "upstream-health-check");
                t.setDaemon(true);
                return t;
            });
        }
        return checks;
    }

    /** Stops the health checks with the application. */
    @Override
    public void close() {
        synchronized (byRoute) {
            byRoute.values().forEach(RouteTargets::close);
            if (checks != null) {
                checks.shutdownNow();
            }
        }
    }
}
