package dev.apigateway.targets;

import dev.apigateway.observability.GatewayEvents;
import dev.apigateway.observability.UpstreamTargetMetrics;
import dev.apigateway.proxy.UpstreamEndpoints;
import dev.apigateway.routes.RouteSettings;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.camel.CamelContext;
import org.apache.camel.Producer;
import org.apache.camel.support.service.ServiceHelper;

/**
 * One route's upstream as it runs on this instance: an http producer per target (one endpoint each, over the shared
 * connection pool), the weighted choice, the targets' passive health (and active check, if any), the retry budget and
 * the meters.
 */
final class RouteTargets {

    final RouteSettings settings;
    /** The settings object last seen equal to {@link #settings}: the common case is one identity check. */
    private volatile RouteSettings seen;
    final UpstreamTargets upstream;
    final Producer[] producers;
    final SmoothWeightedRoundRobin selector;
    final TargetHealth health;
    final RetryBudget budget = new RetryBudget();
    final UpstreamTargetMetrics.RouteMeters meters;
    /** The route's active health check; {@code null} when it has none. */
    private final ActiveHealthChecker checker;

    RouteTargets(CamelContext camel, RouteSettings settings, EjectionPolicy ejection, UpstreamTargetMetrics metrics,
                 java.time.Clock clock, ScheduledExecutorService scheduler) throws Exception {
        this.settings = settings;
        this.seen = settings;
        this.upstream = settings.upstream();
        List<UpstreamTargets.Target> targets = upstream.targets();
        int n = targets.size();
        producers = new Producer[n];
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            UpstreamTargets.Target target = targets.get(i);
            weights[i] = target.weight();
            producers[i] = camel.getEndpoint(UpstreamEndpoints.uri(target.url(), settings.upstreamTimeout(),
                    settings.connectTimeout())).createProducer();
            ServiceHelper.startService(producers[i]);
        }
        selector = new SmoothWeightedRoundRobin(weights);
        String route = settings.routeId();
        List<String> labels = targets.stream().map(UpstreamTargets.Target::label).toList();
        // the listener runs on requests, after the constructor: meters is set by then
        health = new TargetHealth(n, ejection, (target, ejected, forMillis) -> {
            if (ejected) {
                GatewayEvents.targetEjected(route, labels.get(target), forMillis);
                meters().ejected(target);
            } else {
                GatewayEvents.targetReturned(route, labels.get(target));
            }
        });
        ActiveHealthCheck check = upstream.healthCheck();
        meters = metrics.bind(route, labels, target -> health.isEjected(target, clock.millis()),
                check.enabled() ? target -> !health.isDown(target) : null);
        if (check.enabled()) {
            checker = new ActiveHealthChecker(route, check, camel, producers, labels.toArray(String[]::new), health);
            checker.start(scheduler);
        } else {
            checker = null;
        }
    }

    /** Stops the route's health check (the producers share the gateway's pool: nothing else to free). */
    void close() {
        if (checker != null) {
            checker.stop();
        }
    }

    List<UpstreamsEndpoint.TargetView> views(long nowMillis) {
        List<UpstreamsEndpoint.TargetView> views = new java.util.ArrayList<>(producers.length);
        for (int i = 0; i < producers.length; i++) {
            UpstreamTargets.Target target = upstream.targets().get(i);
            TargetHealth.State state = health.state(i, nowMillis);
            views.add(new UpstreamsEndpoint.TargetView(target.label(), target.url().toString(), target.weight(),
                    state.ejectedForMillis() > 0, (state.ejectedForMillis() + 999) / 1000, state.failuresInRow(),
                    state.ejections(), upstream.healthCheck().enabled() ? !state.down() : null));
        }
        return views;
    }

    private UpstreamTargetMetrics.RouteMeters meters() {
        return meters;
    }

    /** Whether these targets, timeouts and switch are still the route's (a reload may have changed them). */
    boolean matches(RouteSettings current) {
        if (current == seen) {
            return true;
        }
        boolean same = current.upstream().equals(upstream)
                && current.upstreamTimeout().equals(settings.upstreamTimeout())
                && current.connectTimeout().equals(settings.connectTimeout());
        if (same) {
            seen = current;
        }
        return same;
    }
}
