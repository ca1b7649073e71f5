package dev.apigateway.circuitbreaker;

import dev.apigateway.store.SharedStore;
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
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final BreakerRegistry registry;
    final CircuitBreakersEndpoint endpoint;
    final RedisBreakerEventsSubscription subscription;

    BreakerInstance(TestRedisServer redis, Clock clock, BreakerPolicy defaults, Duration commandTimeout) {
        connections = redis.connectionFactory(commandTimeout);
        store = new RedisBreakerStore(new StringRedisTemplate(connections), SharedStore.direct(), new ObjectMapper());
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
        connections.destroy();
    }
}
