package dev.apigateway.circuitbreaker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

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
    private final RedisMessageListenerContainer container;

    BreakerInstance(TestRedisServer redis, Clock clock, BreakerPolicy defaults, Duration commandTimeout) {
        connections = redis.connectionFactory(commandTimeout);
        store = new RedisBreakerStore(new StringRedisTemplate(connections), StoreCalls.direct(), new ObjectMapper());
        registry = new BreakerRegistry(store, defaults, meters, clock, false, BreakerRegistry.DEFAULT_REFRESH_INTERVAL);
        endpoint = new CircuitBreakersEndpoint(registry);
        container = new RedisMessageListenerContainer();
        container.setConnectionFactory(connections);
        container.setRecoveryInterval(200);
        container.addMessageListener(new RedisBreakerEventSubscriber(store, registry),
                new ChannelTopic(RedisBreakerStore.EVENTS_CHANNEL));
        container.afterPropertiesSet();
        container.start();
    }

    double transitions(String route, String from, String to) {
        var counter = meters.find(BreakerRegistry.TRANSITIONS_METER).tags("route", route, "from", from, "to", to).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() throws Exception {
        registry.close();
        container.stop();
        container.destroy();
        connections.destroy();
    }
}
