package dev.apigateway.routes;

import dev.apigateway.error.GatewayErrorConfiguration;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * The {@code gateway-route} template: {@code ANY {{path}}/**} to {@code {{upstreamUrl}}/**} (one target or several)
 * through the gateway's limiter, breaker, forwarding and upstream steps, with the shared error answers. Optional parameters default to the global
 * settings. The {@code configure} hook validates the parameters (a bad value refuses the route with a message naming
 * it) and registers the route's settings; {@link RouteSettingsLifecycle} removes them with the route.
 */
@Component
public class GatewayRouteTemplate extends RouteBuilder {

    /** Route property marking routes made from this template. */
    public static final String TEMPLATE_PROPERTY = "gatewayTemplate";

    private final RouteSettingsRegistry registry;

    public GatewayRouteTemplate(RouteSettingsRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void configure() {
        RouteSettings defaults = registry.defaultsFor("defaults");
        routeTemplate(GatewayRouteParameters.TEMPLATE_ID)
                .templateParameter(GatewayRouteParameters.PATH, null, "path served, e.g. /orders")
                .templateParameter(GatewayRouteParameters.UPSTREAM_URL, null, "base URL of the upstream")
                // no defaults for the limits: the single sizes and rateLimits exclude each other, and a route that
                // names neither gets the global plan (GatewayRouteParameters.plan)
                .templateOptionalParameter(GatewayRouteParameters.RATE_LIMIT_CAPACITY)
                .templateOptionalParameter(GatewayRouteParameters.RATE_LIMIT_REFILL_RATE)
                .templateOptionalParameter(GatewayRouteParameters.RATE_LIMIT_REFILL_PERIOD_SECONDS)
                .templateOptionalParameter(GatewayRouteParameters.RATE_LIMIT_KEY_HEADER)
                .templateOptionalParameter(GatewayRouteParameters.RATE_LIMITS)
                .templateOptionalParameter(GatewayRouteParameters.RATE_LIMIT_SHADOW)
                .templateOptionalParameter(GatewayRouteParameters.RATE_LIMIT_COSTS)
                .templateOptionalParameter(GatewayRouteParameters.RATE_LIMIT_KEY)
                .templateParameter(GatewayRouteParameters.CIRCUIT_BREAKER_FAILURE_THRESHOLD,
                        Integer.toString(defaults.breaker().failureThreshold()))
                .templateParameter(GatewayRouteParameters.CIRCUIT_BREAKER_WINDOW_SECONDS,
                        Long.toString(GatewayRouteParameters.wholeSeconds(defaults.breaker().window())))
                .templateParameter(GatewayRouteParameters.CIRCUIT_BREAKER_RESET_TIMEOUT_SECONDS,
                        Long.toString(GatewayRouteParameters.wholeSeconds(defaults.breaker().resetTimeout())))
                .templateParameter(GatewayRouteParameters.UPSTREAM_TIMEOUT_SECONDS,
                        Long.toString(GatewayRouteParameters.wholeSeconds(defaults.upstreamTimeout())))
                .templateParameter(GatewayRouteParameters.MAX_CONCURRENT_REQUESTS,
                        Integer.toString(defaults.maxConcurrentRequests()))
                .templateParameter(GatewayRouteParameters.UPSTREAM_RETRIES, "true")
                .templateOptionalParameter(GatewayRouteParameters.HEALTH_CHECK_PATH)
                .templateParameter(GatewayRouteParameters.HEALTH_CHECK_INTERVAL_SECONDS,
                        Long.toString(GatewayRouteParameters.wholeSeconds(defaults.upstream().healthCheck().interval())))
                .templateParameter(GatewayRouteParameters.HEALTH_CHECK_HEALTHY_THRESHOLD,
                        Integer.toString(defaults.upstream().healthCheck().healthyThreshold()))
                .templateParameter(GatewayRouteParameters.HEALTH_CHECK_UNHEALTHY_THRESHOLD,
                        Integer.toString(defaults.upstream().healthCheck().unhealthyThreshold()))
                .configure(rtc -> {
                    // Validates before the route is built; registration by route id happens when the route is added
                    // (RouteSettingsLifecycle), as the template context does not know the route id.
                    GatewayRouteParameters.parse("template", userParameters(rtc.getParameters()), defaults,
                            registry.singleLimitDefaults());
                })
                .from("platform-http:{{path}}?matchOnUriPrefix=true")
                .routeProperty(TEMPLATE_PROPERTY, GatewayRouteParameters.TEMPLATE_ID)
                .routeConfigurationId(GatewayErrorConfiguration.ID)
                .process("gatewayRateLimit")
                .process("gatewayCircuitBreaker")
                .process("gatewayForward")
                // the targets, timeouts and retry switch come from the route's settings, parsed from these parameters
                .process("gatewayUpstream");
    }

    /** The template's parameters as a user names them (Camel adds kebab-case copies and its own). */
    static Map<String, Object> userParameters(Map<String, Object> all) {
        Map<String, Object> out = new HashMap<>();
        for (String name : GatewayRouteParameters.NAMES) {
            Object value = all.get(name);
            if (value != null) {
                out.put(name, value);
            }
        }
        return out;
    }
}
