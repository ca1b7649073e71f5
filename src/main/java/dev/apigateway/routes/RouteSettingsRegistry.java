package dev.apigateway.routes;

import dev.apigateway.circuitbreaker.BreakerPolicy;
import dev.apigateway.config.GatewayProperties;
import dev.apigateway.ratelimit.KeySetting;
import dev.apigateway.ratelimit.RateLimitPlan;
import dev.apigateway.ratelimit.RateLimitPolicy;
import dev.apigateway.ratelimit.RequestCosts;
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
        KeySetting key = KeySetting.parse(properties.getRateLimit().getKey());
        GatewayProperties.UpstreamHealthCheck check = properties.getUpstreamHealthCheck();
        UpstreamTargets upstream = properties.getUpstreamUrl().withHealthCheck(new ActiveHealthCheck(
                check.getPath(), check.getInterval(), check.getHealthyThreshold(), check.getUnhealthyThreshold()));
        return new RouteSettings(routeId, upstream, properties.getUpstreamTimeout(),
                properties.getUpstreamConnectTimeout(), defaultPlan(properties.getRateLimit()),
                RequestCosts.parse(properties.getRateLimit().getCosts()), key.header(), key.consumer(),
                BreakerPolicy.defaults(properties), properties.getMaxConcurrentRequestsPerRoute());
    }

    /** {@code RATE_LIMITS} when set, else the one limit {@code default} of the three {@code RATE_LIMIT_*} sizes. */
    public static RateLimitPlan defaultPlan(GatewayProperties.RateLimit limit) {
        return limit.getLimits().isBlank()
                ? RateLimitPlan.single(new RateLimitPolicy(limit.getCapacity(), limit.getRefillRate(), limit.getRefillPeriod()))
                : RateLimitPlan.parse(limit.getLimits());
    }

    /** The single {@code RATE_LIMIT_*} sizes as a policy: what a route's {@code rateLimitCapacity} etc. start from. */
    public RateLimitPolicy singleLimitDefaults() {
        GatewayProperties.RateLimit limit = properties.getRateLimit();
        return new RateLimitPolicy(limit.getCapacity(), limit.getRefillRate(), limit.getRefillPeriod());
    }

    /**
     * {@code RATE_LIMIT_ENABLED=false} and {@code CIRCUIT_BREAKER_ENABLED=false} switch a step off on every route;
     * {@code RATE_LIMIT_SHADOW=true} makes every limit of every route a shadow one.
     */
    private RouteSettings switched(RouteSettings s) {
        boolean limit = properties.getRateLimit().isEnabled();
        boolean shadow = properties.getRateLimit().isShadow();
        boolean breaker = properties.getCircuitBreaker().isEnabled();
        if (limit && breaker && !shadow) {
            return s;
        }
        RateLimitPlan plan = !limit || s.rateLimits() == null ? null : shadow ? s.rateLimits().asShadow() : s.rateLimits();
        return new RouteSettings(s.routeId(), s.upstream(), s.upstreamTimeout(), s.connectTimeout(),
                plan, s.costs(), s.keyHeader(), s.consumerKeyed(), breaker ? s.breaker() : null, s.maxConcurrentRequests());
    }
}
