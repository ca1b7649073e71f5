package dev.apigateway.routes;

import dev.apigateway.observability.RouteLifecycleNotifier;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.springframework.stereotype.Component;

/**
 * Keeps {@link RouteSettingsRegistry} in step with the routes made from the {@code gateway-route} template, however
 * they were added: settings registered when the route is added, removed when it is removed.
 */
@Component
public class RouteSettingsLifecycle extends RouteLifecycleNotifier {

    private final RouteSettingsRegistry registry;

    public RouteSettingsLifecycle(RouteSettingsRegistry registry) {
        this.registry = registry;
    }

    @Override
    protected void routeRemoved(Route route) {
        registry.remove(route.getRouteId());
    }

    @Override
    protected void routeAdded(Route route) {
        RouteSettings settings = templated(route, registry);
        if (settings != null) {
            registry.register(settings);
        }
    }

    /**
     * The settings of a route being added, whether or not this notifier has registered them yet (the order of
     * Camel's event notifiers is not defined): its template parameters, or the registry's.
     */
    public static RouteSettings settingsOf(Route route, RouteSettingsRegistry registry) {
        RouteSettings settings = templated(route, registry);
        return settings != null ? settings : registry.forRoute(route.getRouteId());
    }

    private static RouteSettings templated(Route route, RouteSettingsRegistry registry) {
        if (!GatewayRouteParameters.TEMPLATE_ID.equals(route.getProperties().get(GatewayRouteTemplate.TEMPLATE_PROPERTY))) {
            return null;
        }
        CamelContext context = route.getCamelContext();
        RouteDefinition definition = context.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinition(route.getRouteId());
        if (definition == null || definition.getTemplateParameters() == null) {
            return null;
        }
        Map<String, Object> params = GatewayRouteTemplate.userParameters(definition.getTemplateParameters());
        return GatewayRouteParameters.parse(route.getRouteId(), params, registry.defaultsFor(route.getRouteId()),
                registry.singleLimitDefaults()).settings();
    }
}
