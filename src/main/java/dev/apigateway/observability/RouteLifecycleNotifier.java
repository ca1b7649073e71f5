package dev.apigateway.observability;

import org.apache.camel.Route;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/** Told of each route added to or removed from the Camel context, and of nothing else (no exchange events). */
public abstract class RouteLifecycleNotifier extends EventNotifierSupport {

    protected RouteLifecycleNotifier() {
        setIgnoreExchangeEvents(true);
        setIgnoreCamelContextEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.RouteAddedEvent || event instanceof CamelEvent.RouteRemovedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Route route = ((CamelEvent.RouteEvent) event).getRoute();
        if (event instanceof CamelEvent.RouteAddedEvent) {
            routeAdded(route);
        } else {
            routeRemoved(route);
        }
    }

    protected abstract void routeAdded(Route route);

    protected abstract void routeRemoved(Route route);
}
