package dev.apigateway.circuitbreaker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.config.GatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import dev.apigateway.routes.RouteSettingsRegistry;
import dev.apigateway.store.ConditionalOnStateStore;
import dev.apigateway.store.StateStoreSelection;
import dev.apigateway.store.StoreGuard;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The breaker registry: backed by Redis when the shared store is selected
 * ({@link SharedBreakerStoreConfiguration}), otherwise by an in-memory store for a single instance.
 *
 * <p>Deliberately no Resilience4j {@code CircuitBreakerRegistry} bean: Camel's circuitBreaker EIP would
 * pick it up. The local fallback breakers are made per route inside {@link BreakerRegistry}.
 */
@Configuration(proxyBeanMethods = false)
public class CircuitBreakerConfiguration {

    @Bean(destroyMethod = "close")
    public BreakerRegistry breakerRegistry(GatewayProperties properties,
                                           ObjectProvider<RedisBreakerStore> sharedStore,
                                           ObjectProvider<MeterRegistry> meters,
                                           ObjectProvider<Clock> clocks) {
        // A Clock bean, where there is one (tests drive time with it), otherwise the system clock.
        Clock clock = clocks.getIfAvailable(Clock::systemUTC);
        RedisBreakerStore redis = sharedStore.getIfAvailable();
        BreakerStore store = redis != null ? redis : new InMemoryBreakerStore(clock);
        BreakerRegistry registry = new BreakerRegistry(store, BreakerPolicy.defaults(properties),
                meters.getIfAvailable(SimpleMeterRegistry::new), clock, store.shared(),
                BreakerRegistry.DEFAULT_REFRESH_INTERVAL);
        registry.start();
        return registry;
    }

    @Bean
    @ConditionalOnAvailableEndpoint
    public CircuitBreakersEndpoint circuitBreakersEndpoint(BreakerRegistry registry,
                                                           ObjectProvider<org.apache.camel.CamelContext> camel) {
        return new CircuitBreakersEndpoint(registry, route -> {
            org.apache.camel.CamelContext context = camel.getIfAvailable();
            return context != null && context.getRoute(route) != null;
        });
    }

    /** The breaker step of every gateway route; YAML routes name it {@code gatewayCircuitBreaker}. */
    @Bean(name = "gatewayCircuitBreaker")
    public CircuitBreakerProcessor gatewayCircuitBreaker(BreakerRegistry registry, RouteSettingsRegistry routes) {
        return new CircuitBreakerProcessor(registry, routes);
    }

    /** Redis-backed breaker state, when the state store is Redis (see {@link StateStoreSelection}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnStateStore(StateStoreSelection.Store.REDIS)
    static class SharedBreakerStoreConfiguration {

        @Bean
        RedisBreakerStore redisBreakerStore(RedisConnectionFactory connections, StoreGuard guard,
                                            ObjectProvider<ObjectMapper> json) {
            return new RedisBreakerStore(new StringRedisTemplate(connections), guard,
                    json.getIfAvailable(ObjectMapper::new));
        }

        @Bean
        RedisBreakerEventSubscriber redisBreakerEventSubscriber(RedisBreakerStore store, BreakerRegistry registry) {
            return new RedisBreakerEventSubscriber(store, registry);
        }

        /** Subscribes to transitions of other instances, in the background, retried every 2 s while Redis is away. */
        @Bean(destroyMethod = "destroy")
        RedisBreakerEventsSubscription circuitBreakerEventsSubscription(RedisConnectionFactory connections,
                                                                        RedisBreakerEventSubscriber subscriber) {
            return new RedisBreakerEventsSubscription(connections, subscriber, Duration.ofSeconds(2));
        }
    }
}
