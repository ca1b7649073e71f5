package dev.apigateway.circuitbreaker;

import dev.apigateway.circuitbreaker.redis.RedisBreakerEventSubscriber;
import dev.apigateway.circuitbreaker.redis.RedisBreakerEventsSubscription;
import dev.apigateway.circuitbreaker.redis.RedisBreakerStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * One gateway instance's breaker, as the Spring wiring builds it: its own Lettuce connection factory,
 * Redis store, registry (on the test's clock) and pub/sub subscription.
 */
final class BreakerInstance implements AutoCloseable {

    final LettuceConnectionFactory connections;
    final RedisBreakerStore store;
    final dev.apigateway.store.StoreGuard guard;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final BreakerRegistry registry;
    final CircuitBreakersEndpoint endpoint;
    final RedisBreakerEventsSubscription subscription;

    BreakerInstance(TestRedisServer redis, Clock clock, BreakerPolicy defaults, Duration commandTimeout) {
        connections = redis.connectionFactory(commandTimeout);
        StringRedisTemplate redisTemplate = new StringRedisTemplate(connections);
        // the gateway's store guard: an outage (not one failed call) moves the registry to its fallback breakers
        guard = dev.apigateway.store.StoreGuard.builder("redis").timeout(commandTimeout.plusSeconds(10)) // a cold first call on a loaded machine
                .probe(() -> redisTemplate.execute((org.springframework.data.redis.core.RedisCallback<String>)
                        org.springframework.data.redis.connection.RedisConnection::ping))
                .meterRegistry(meters).build();
        store = new RedisBreakerStore(redisTemplate, guard, new ObjectMapper());
        registry = new BreakerRegistry(store, defaults, meters, clock, false, BreakerRegistry.DEFAULT_REFRESH_INTERVAL);
        endpoint = new CircuitBreakersEndpoint(registry, route -> false);
        subscription = new RedisBreakerEventsSubscription(connections, new RedisBreakerEventSubscriber(store, registry),
                Duration.ofMillis(200));
        subscription.start();
    }

    double transitions(String route, String from, String to) {
        var counter = meters.find(BreakerRegistry.TRANSITIONS_METER).tags("route", route, "from", from, "to", to).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() throws Exception {
        registry.close();
        subscription.destroy();
        guard.close();
        connections.destroy();
    }
}
