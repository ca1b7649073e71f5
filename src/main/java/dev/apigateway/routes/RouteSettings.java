package dev.apigateway.routes;

import dev.apigateway.circuitbreaker.BreakerPolicy;
import dev.apigateway.ratelimit.RateLimitPlan;
import dev.apigateway.ratelimit.RequestCosts;
import dev.apigateway.targets.UpstreamTargets;
import java.time.Duration;

/**
 * What one gateway route forwards to and how it is protected. The built-in proxy route uses the global settings;
 * a templated route overrides any of them with its parameters.
 *
 * @param upstream  the route's targets, and whether it retries on another one
 * @param rateLimits the route's limits (one or more token buckets); {@code null} when the route is not rate-limited
 * @param costs     what a request costs in tokens, by method and path (1 unless a rule says otherwise)
 * @param breaker   the route's circuit breaker; {@code null} when the route has none
 * @param keyHeader request header whose value keys the rate-limit bucket (an API key); {@code null} keys by client
 *                  address. A request without the header is keyed by its client address.
 * @param consumerKeyed true when a request needs a consumer's API key and its buckets are the consumer's
 *                  ({@code RATE_LIMIT_KEY=consumer}, {@code rateLimitKey: consumer})
 * @param maxConcurrentRequests the route's bulkhead: requests in flight at once; more are answered 503
 */
public record RouteSettings(String routeId, UpstreamTargets upstream, Duration upstreamTimeout, Duration connectTimeout,
                            RateLimitPlan rateLimits, RequestCosts costs, String keyHeader, boolean consumerKeyed,
                            BreakerPolicy breaker,
                            int maxConcurrentRequests) {

    public RouteSettings {
        if (routeId == null || routeId.isBlank()) {
            throw new IllegalArgumentException("a route needs an id");
        }
        if (maxConcurrentRequests < 1) {
            throw new IllegalArgumentException("maxConcurrentRequests must be at least 1");
        }
        if (costs == null) {
            costs = RequestCosts.ONE_EACH;
        }
        if (keyHeader != null && keyHeader.isBlank()) {
            keyHeader = null;
        }
    }
}
