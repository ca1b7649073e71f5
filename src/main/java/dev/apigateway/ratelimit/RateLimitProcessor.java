package dev.apigateway.ratelimit;

import dev.apigateway.error.GatewayError;
import dev.apigateway.error.GatewayException;
import dev.apigateway.proxy.GatewayExchange;
import dev.apigateway.proxy.ProxyHeaders;
import dev.apigateway.routes.RouteSettings;
import dev.apigateway.routes.RouteSettingsRegistry;
import dev.apigateway.store.RateLimitedLog;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.LoggerFactory;

/**
 * The rate-limit step ({@code gatewayRateLimit}): on a route keyed by consumer, authenticates the request's API key
 * first ({@link ConsumerAuthentication}, 401 without a valid one); then spends the request's cost (one token unless
 * the route's cost rules say more) from each of the client's (or consumer's) buckets on the route (every limit of its
 * plan, or none), puts the contract's rate-limit headers on the answer whatever it turns out to be
 * ({@link RateLimitHeaders}), and refuses with 429
 * {@code rate_limited} (or 503 {@code store_unavailable} when the store is away and the fail mode is
 * {@code closed}) before anything else runs.
 */
public class RateLimitProcessor implements Processor {

    private final RateLimiter limiter;
    private final RouteSettingsRegistry routes;
    private final ConsumerAuthentication consumers;
    // A 429 storm must not become a log storm: one line per second at most, with the count of the others.
    private final RateLimitedLog rejections = new RateLimitedLog(
            LoggerFactory.getLogger("dev.apigateway.events"), Duration.ofSeconds(1), java.time.Clock.systemUTC());

    public RateLimitProcessor(RateLimiter limiter, RouteSettingsRegistry routes, ConsumerAuthentication consumers) {
        this.limiter = limiter;
        this.routes = routes;
        this.consumers = consumers;
    }

    @Override
    public void process(Exchange exchange) {
        String routeId = exchange.getFromRouteId();
        RouteSettings route = routes.forRoute(routeId);
        Consumer consumer = route.consumerKeyed() ? consumers.authenticate(exchange.getMessage()) : null;
        RateLimitPlan plan = route.rateLimits();
        if (plan == null) {
            return;
        }
        String key;
        if (consumer != null) {
            key = consumer.clientKey();
            if (consumer.limits() != null) {
                // the consumer's plan replaces the route's; a route that only watches watches the consumer's too
                plan = plan.allShadow() ? consumer.limits().asShadow() : consumer.limits();
            }
        } else {
            key = clientKey(exchange, route);
        }
        long cost = route.costs().costOf(exchange.getProperty(GatewayExchange.METHOD, String.class),
                exchange.getProperty(GatewayExchange.FORWARD_PATH, String.class));
        RateLimitVerdict verdict = limiter.tryAcquire(routeId, key, plan, cost);
        RateLimitHeaders.write(verdict, GatewayExchange.responseHeaders(exchange));

        if (verdict.allowed()) {
            return;
        }
        String retryAfter = Long.toString(Math.max(1, verdict.retryAfterSeconds()));
        if (verdict.storeUnavailable()) {
            throw new GatewayException(GatewayError.STORE_UNAVAILABLE,
                    "the rate-limit store is unavailable", Map.of(ProxyHeaders.RETRY_AFTER, retryAfter));
        }
        String refusing = verdict.nearest().limit().name();
        rejections.warn("rate_limit_exceeded", "Rate limit exceeded on route " + routeId,
                line -> line.addKeyValue("route", routeId)
                        .addKeyValue("limit", refusing)
                        .addKeyValue("client_ip", GatewayExchange.clientIp(exchange))
                        .addKeyValue("request_id", GatewayExchange.requestId(exchange))
                        .addKeyValue("retry_after", retryAfter), null);
        throw new GatewayException(GatewayError.RATE_LIMITED,
                "rate limit exceeded, retry after " + retryAfter + " s", Map.of(ProxyHeaders.RETRY_AFTER, retryAfter));
    }

    /**
     * The route's key header (hashed) when it names one and the request has it, not over
     * {@link RateLimitKeys#MAX_HEADER_VALUE_LENGTH}; otherwise the client address.
     */
    static String clientKey(Exchange exchange, RouteSettings route) {
        if (route.keyHeader() != null) {
            String value = exchange.getMessage().getHeader(route.keyHeader(), String.class);
            if (value != null && !value.isBlank() && value.length() <= RateLimitKeys.MAX_HEADER_VALUE_LENGTH) {
                return RateLimitKeys.headerKey(value);
            }
        }
        return "ip:" + GatewayExchange.clientIp(exchange);
    }
}
