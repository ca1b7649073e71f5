package dev.apigateway.observability;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Registers every {@link RouteMeterBinder}'s meters at zero when a route that uses its step is added, and removes
 * them when the route is removed for good.
 *
 * <p>Removal waits {@link #DEFAULT_REMOVAL_DELAY}: replacing a route file removes its routes and adds the new ones
 * at once, and a route that comes back under the same id keeps its counters (a counter reset would lose what was
 * counted since the last scrape). A route that comes back without a step loses that step's meters at once.
 */
@Component
public class RouteMetersLifecycle extends RouteLifecycleNotifier {

    public static final Duration DEFAULT_REMOVAL_DELAY = Duration.ofSeconds(2);

    private final List<RouteMeterBinder> binders;
    private final Duration removalDelay;
    private ScheduledExecutorService removals;
    private boolean stopped;

    @Autowired
    public RouteMetersLifecycle(List<RouteMeterBinder> binders) {
        this(binders, DEFAULT_REMOVAL_DELAY);
    }

    public RouteMetersLifecycle(List<RouteMeterBinder> binders, Duration removalDelay) {
        this.binders = List.copyOf(binders);
        this.removalDelay = removalDelay;
    }

    @Override
    protected void routeAdded(Route route) {
        String routeId = route.getRouteId();
        Set<String> steps = steps(route.getCamelContext(), routeId);
        for (RouteMeterBinder binder : binders) {
            if (steps.contains(binder.step())) {
                binder.bind(route);
            } else {
                binder.unbind(routeId);
            }
        }
    }

    @Override
    protected void routeRemoved(Route route) {
        String routeId = route.getRouteId();
        CamelContext camel = route.getCamelContext();
        ScheduledExecutorService removals = removals();
        if (removals == null) {
            return; // shutting down: the registry goes with the application
        }
        removals.schedule(() -> {
            if (camel.getRoute(routeId) == null) {
                binders.forEach(b -> b.unbind(routeId));
            }
        }, removalDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The beans the route calls by name with {@code process} (its definition, wherever the step is nested). */
    static Set<String> steps(CamelContext camel, String routeId) {
        RouteDefinition definition = camel.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinition(routeId);
        if (definition == null) {
            return Set.of();
        }
        return ProcessorDefinitionHelper.filterTypeInOutputs(definition.getOutputs(), ProcessDefinition.class)
                .stream().map(ProcessDefinition::getRef).filter(ref -> ref != null).collect(Collectors.toSet());
    }

    private synchronized ScheduledExecutorService removals() {
        if (removals == null && !stopped) {
            removals = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "route-meters-removal");
                t.setDaemon(true);
                return t;
            });
        }
        return removals;
    }

    @Override
    protected synchronized void doStart() throws Exception {
        stopped = false;
        super.doStart();
    }

    @Override
    protected synchronized void doStop() throws Exception {
        stopped = true;
        if (removals != null) {
            removals.shutdownNow();
            removals = null;
        }
        super.doStop();
    }
}
