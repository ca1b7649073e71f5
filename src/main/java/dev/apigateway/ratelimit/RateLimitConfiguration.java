package dev.apigateway.ratelimit;

import dev.apigateway.config.GatewayProperties;
import dev.apigateway.routes.RouteSettingsRegistry;
import dev.apigateway.store.ConditionalOnStateStore;
import dev.apigateway.store.InstanceRegistry;
import dev.apigateway.store.StateStoreSelection;
import dev.apigateway.store.StoreGuard;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
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
    RateLimitProcessor gatewayRateLimit(RateLimiter rateLimiter, RouteSettingsRegistry routes,
                                        GatewayProperties properties, ObjectProvider<ConsumersFile> consumersFile) {
        ConsumersFile file = consumersFile.getIfAvailable();
        return new RateLimitProcessor(rateLimiter, routes, new ConsumerAuthentication(properties.getApiKeyHeader(),
                file == null ? () -> Consumers.NONE : file::consumers));
    }

    /** {@code CONSUMERS_FILE}, watched for changes, when it is set (the settings check made sure it is valid). */
    @Bean
    @ConditionalOnExpression("!'${gateway.consumers-file:}'.isBlank()")
    ConsumersFile consumersFile(GatewayProperties properties) {
        return new ConsumersFile(Path.of(properties.getConsumersFile()), ConsumersFile.DEFAULT_POLL,
                consumers -> checked(consumers, properties));
    }

    /** Reads and checks {@code CONSUMERS_FILE} ({@code GatewayProperties} refuses a bad one at start). */
    public static Consumers readConsumers(GatewayProperties properties) {
        String content;
        try {
            content = Files.readString(Path.of(properties.getConsumersFile()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the file (" + e.getClass().getSimpleName() + ")");
        }
        return checked(Consumers.parse(content), properties);
    }

    /** A consumer's own limits must hold every cost of {@code RATE_LIMIT_COSTS}, as the route's must. */
    private static Consumers checked(Consumers consumers, GatewayProperties properties) {
        RequestCosts costs = RequestCosts.parse(properties.getRateLimit().getCosts());
        for (Consumer consumer : consumers.all()) {
            if (consumer.limits() != null) {
                try {
                    costs.requireWithin(consumer.limits());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("consumer " + consumer.name() + ": " + e.getMessage()
                            + " (RATE_LIMIT_COSTS)", e);
                }
            }
        }
        return consumers;
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
