package dev.apigateway.circuitbreaker.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.circuitbreaker.BreakerRegistry;
import dev.apigateway.store.ConditionalOnStateStore;
import dev.apigateway.store.StateStoreSelection;
import dev.apigateway.store.StoreGuard;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Redis-backed breaker state, when the state store is Redis (see {@link StateStoreSelection}). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnStateStore(StateStoreSelection.Store.REDIS)
public class RedisBreakerConfiguration {

    /** 1 while subscribed to other instances' breaker transitions, 0 otherwise. */
    public static final String SUBSCRIBED_METER = "gateway.circuit.breaker.events.subscribed";

    /** Through the limiter's store guard: the same bounded wait, error counting and backoff. */
    @Bean
    RedisBreakerStore redisBreakerStore(RedisConnectionFactory connections, StoreGuard guard,
                                        ObjectProvider<ObjectMapper> json) {
        return new RedisBreakerStore(new StringRedisTemplate(connections), guard, json.getIfAvailable(ObjectMapper::new));
    }

    @Bean
    RedisBreakerEventSubscriber redisBreakerEventSubscriber(RedisBreakerStore store, BreakerRegistry registry) {
        return new RedisBreakerEventSubscriber(store, registry);
    }

    /** Subscribes to transitions of other instances, in the background, retried every 2 s until it holds. */
    @Bean(destroyMethod = "destroy")
    RedisBreakerEventsSubscription circuitBreakerEventsSubscription(RedisConnectionFactory connections,
                                                                    RedisBreakerEventSubscriber subscriber,
                                                                    ObjectProvider<MeterRegistry> meters) {
        RedisBreakerEventsSubscription subscription = new RedisBreakerEventsSubscription(connections, subscriber,
                Duration.ofSeconds(2));
        meters.ifAvailable(m -> Gauge.builder(SUBSCRIBED_METER, subscription, s -> s.listening() ? 1 : 0)
                .description("1 while subscribed to other instances' circuit breaker transitions").register(m));
        return subscription;
    }

    /**
     * Health contributor {@code circuitBreakerEvents}: whether transitions of other instances reach this one at
     * once. Always UP (the periodic re-read still brings them within seconds), so not part of readiness.
     */
    @Bean
    HealthIndicator circuitBreakerEventsHealthIndicator(RedisBreakerEventsSubscription subscription) {
        return () -> Health.up().withDetail("subscribed", subscription.listening()).build();
    }
}
