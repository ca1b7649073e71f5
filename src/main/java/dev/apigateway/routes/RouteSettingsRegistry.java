package dev.apigateway.routes;

import dev.apigateway.circuitbreaker.BreakerPolicy;
import dev.apigateway.config.GatewayProperties;
import dev.apigateway.ratelimit.RateLimitPolicy;
import dev.apigateway.targets.ActiveHealthCheck;
import dev.apigateway.targets.UpstreamTargets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The settings of every running gateway route, by route id. The steps read them per request with one map look-up;
 * a route that registered nothing (a full YAML route) gets the global settings under its own id, so its buckets and
 * breaker are still its own.
 */
@Component
public class RouteSettingsRegistry {

    private final GatewayProperties properties;
    private final Map<String, RouteSettings> routes = new ConcurrentHashMap<>();
    private final Map<String, RouteSettings> defaults = new ConcurrentHashMap<>();

    public RouteSettingsRegistry(GatewayProperties properties) {
        this.properties = properties;
    }

    public void register(RouteSettings settings) {
        routes.put(settings.routeId(), switched(settings));
    }

    public void remove(String routeId) {
        routes.remove(routeId);
    }

    public RouteSettings forRoute(String routeId) {
        RouteSettings settings = routes.get(routeId);
        return settings != null ? settings : defaults.computeIfAbsent(routeId, id -> switched(defaultsFor(id)));
    }

    /** The global settings, under the given route id (the defaults of the route template's parameters). */
    public RouteSettings defaultsFor(String routeId) {
        GatewayProperties.RateLimit limit = properties.getRateLimit();
        GatewayProperties.UpstreamHealthCheck check = properties.getUpstreamHealthCheck();
        UpstreamTargets upstream = properties.getUpstreamUrl().withHealthCheck(new ActiveHealthCheck(
                check.getPath(), check.getInterval(), check.getHealthyThreshold(), check.getUnhealthyThreshold()));
        return new RouteSettings(routeId, upstream, properties.getUpstreamTimeout(),
                properties.getUpstreamConnectTimeout(),
                new RateLimitPolicy(limit.getCapacity(), limit.getRefillRate(), limit.getRefillPeriod()),
                null, BreakerPolicy.defaults(properties), properties.getMaxConcurrentRequestsPerRoute());
    }

    /** {@code RATE_LIMIT_ENABLED=false} and {@code CIRCUIT_BREAKER_ENABLED=false} switch a step off on every route. */
    private RouteSettings switched(RouteSettings s) {
        boolean limit = properties.getRateLimit().isEnabled();
        boolean breaker = properties.getCircuitBreaker().isEnabled();
        if (limit && breaker) {
            return s;
        }
        return new RouteSettings(s.routeId(), s.upstream(), s.upstreamTimeout(), s.connectTimeout(),
                limit ? s.rateLimit() : null, s.keyHeader(), breaker ? s.breaker() : null, s.maxConcurrentRequests());
    }
}
