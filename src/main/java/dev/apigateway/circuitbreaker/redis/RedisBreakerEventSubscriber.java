package dev.apigateway.circuitbreaker.redis;

import dev.apigateway.circuitbreaker.BreakerRegistry;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.SubscriptionListener;

/**
 * Hands transitions published by other instances on {@link RedisBreakerStore#EVENTS_CHANNEL} to the
 * registry, so this instance rejects from its next request on; and after every (re)subscription (the first one,
 * and Lettuce's own after a reconnect) has the registry re-read every breaker, so no transition published while
 * this instance was not listening is missed.
 *
 * <p>Subscribed through Spring Data Redis's {@code RedisMessageListenerContainer} rather than
 * camel-spring-redis's subscribe consumer: the breaker core stays free of Camel routes, the container
 * reuses the gateway's Lettuce configuration (camel-spring-redis would build its own Jedis factory
 * with JDK-serialised keys unless given a template) and re-subscribes by itself after a reconnect.
 */
public final class RedisBreakerEventSubscriber implements MessageListener, SubscriptionListener {

    private static final Logger log = LoggerFactory.getLogger(RedisBreakerEventSubscriber.class);

    private final RedisBreakerStore store;
    private final BreakerRegistry registry;
    private volatile boolean subscribed;

    public RedisBreakerEventSubscriber(RedisBreakerStore store, BreakerRegistry registry) {
        this.store = store;
        this.registry = registry;
    }

    @Override
    public void onMessage(Message message, byte[] pattern) {
        String body = new String(message.getBody(), StandardCharsets.UTF_8);
        try {
            registry.applyRemote(store.decode(body));
        } catch (Exception e) {
            // a message we cannot read is dropped; the periodic re-read still brings the state
            log.atWarn().addKeyValue("event", "circuit_breaker_event_unreadable")
                    .log("unreadable circuit breaker event: {}", e.toString());
        }
    }

    @Override
    public void onChannelSubscribed(byte[] channel, long count) {
        subscribed = true;
        log.atInfo().addKeyValue("event", "circuit_breaker_events_subscribed")
                .log("subscribed to circuit breaker events; re-reading every breaker");
        registry.refreshSoon(); // not on the client's event loop: the re-read makes store calls
    }

    @Override
    public void onChannelUnsubscribed(byte[] channel, long count) {
        subscribed = false;
    }

    /** True from a subscription's confirmation until it is given up. */
    boolean subscribed() {
        return subscribed;
    }
}
