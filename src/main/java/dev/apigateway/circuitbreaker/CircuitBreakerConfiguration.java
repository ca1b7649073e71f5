package dev.apigateway.circuitbreaker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.config.GatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import dev.apigateway.routes.RouteSettingsRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import dev.apigateway.circuitbreaker.redis.RedisBreakerConfiguration;
import dev.apigateway.circuitbreaker.redis.RedisBreakerStore;

/**
 * The breaker registry: backed by Redis when the shared store is selected
 * ({@link RedisBreakerConfiguration}), otherwise by an in-memory store for a single instance.
 *
 * <p>Deliberately no Resilience4j {@code CircuitBreakerRegistry} bean: Camel's circuitBreaker EIP would
 * pick it up. The local fallback breakers are made per route inside {@link BreakerRegistry}.
 */
@Configuration(proxyBeanMethods = false)
@Import(RedisBreakerConfiguration.class)
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
}
