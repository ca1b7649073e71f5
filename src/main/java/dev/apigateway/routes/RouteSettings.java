package dev.apigateway.routes;

import dev.apigateway.circuitbreaker.BreakerPolicy;
import dev.apigateway.ratelimit.RateLimitPolicy;
import dev.apigateway.targets.UpstreamTargets;
import java.time.Duration;

/**
 * What one gateway route forwards to and how it is protected. The built-in proxy route uses the global settings;
 * a templated route overrides any of them with its parameters.
 *
 * @param upstream  the route's targets, and whether it retries on another one
 * @param rateLimit the route's token bucket; {@code null} when the route is not rate-limited
 * @param breaker   the route's circuit breaker; {@code null} when the route has none
 * @param keyHeader request header whose value keys the rate-limit bucket (an API key); {@code null} keys by client
 *                  address. A request without the header is keyed by its client address.
 * @param maxConcurrentRequests the route's bulkhead: requests in flight at once; more are answered 503
 */
public record RouteSettings(String routeId, UpstreamTargets upstream, Duration upstreamTimeout, Duration connectTimeout,
                            RateLimitPolicy rateLimit, String keyHeader, BreakerPolicy breaker,
                            int maxConcurrentRequests) {

    public RouteSettings {
        if (routeId == null || routeId.isBlank()) {
            throw new IllegalArgumentException("a route needs an id");
        }
        if (maxConcurrentRequests < 1) {
            throw new IllegalArgumentException("maxConcurrentRequests must be at least 1");
        }
        if (keyHeader != null && keyHeader.isBlank()) {
            keyHeader = null;
        }
    }

    /** Seconds to refill an empty bucket: the {@code w} of {@code RateLimit-Policy}. */
    public long refillWindowSeconds() {
        if (rateLimit == null) {
            return 0;
        }
        double seconds = (double) rateLimit.capacity() / rateLimit.refillTokens()
                * rateLimit.refillPeriod().toNanos() / 1e9;
        return Math.max(1, (long) Math.ceil(seconds));
    }
}
