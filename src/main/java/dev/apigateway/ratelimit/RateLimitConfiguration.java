package dev.apigateway.ratelimit;

import dev.apigateway.config.GatewayProperties;
import dev.apigateway.routes.RouteSettingsRegistry;
import dev.apigateway.store.ConditionalOnStateStore;
import dev.apigateway.store.InstanceRegistry;
import dev.apigateway.store.StateStoreSelection;
import dev.apigateway.store.StoreGuard;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The {@link RateLimiter} bean the proxy route calls, for the selected state store, and the default
 * {@link RateLimitPolicy} from {@code RATE_LIMIT_*}.
 */
@Configuration(proxyBeanMethods = false)
public class RateLimitConfiguration {

    /** The settings of {@code RATE_LIMIT_CAPACITY}, {@code _REFILL_RATE}, {@code _REFILL_PERIOD_SECONDS}. */
    @Bean
    RateLimitPolicy defaultRateLimitPolicy(GatewayProperties properties) {
        GatewayProperties.RateLimit rl = properties.getRateLimit();
        return new RateLimitPolicy(rl.getCapacity(), rl.getRefillRate(), rl.getRefillPeriod());
    }

    /** The rate-limit step of every gateway route; YAML routes name it {@code gatewayRateLimit}. */
    @Bean(name = "gatewayRateLimit")
    RateLimitProcessor gatewayRateLimit(RateLimiter rateLimiter, RouteSettingsRegistry routes) {
        return new RateLimitProcessor(rateLimiter, routes);
    }

    @Bean
    RateLimitMetrics rateLimitMetrics(MeterRegistry meters, RouteSettingsRegistry routes) {
        return new RateLimitMetrics(meters, routeId -> routes.forRoute(routeId).rateLimits());
    }

    @Bean
    @ConditionalOnStateStore(StateStoreSelection.Store.MEMORY)
    RateLimiter localRateLimiter(RateLimitMetrics metrics) {
        return new LocalRateLimiter(new InMemoryTokenBucketStore(), metrics);
    }

    @Bean
    @ConditionalOnStateStore(StateStoreSelection.Store.REDIS)
    RateLimiter sharedRateLimiter(LettuceConnectionFactory redis, StoreGuard storeGuard, InstanceRegistry instances,
                                  GatewayProperties properties, RateLimitMetrics metrics) {
        return new ResilientRateLimiter(new RedisTokenBucketStore(redis, properties.getStoreTimeout()), storeGuard,
                new InMemoryTokenBucketStore(),
                instances, properties.getRateLimit().getFailMode(), metrics);
    }
}
