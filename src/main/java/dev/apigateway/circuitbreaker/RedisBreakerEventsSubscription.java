package dev.apigateway.circuitbreaker;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Keeps this instance subscribed to {@link RedisBreakerStore#EVENTS_CHANNEL}.
 *
 * <p>Why not a plain container bean: a {@link RedisMessageListenerContainer} started while Redis is down
 * throws from {@code start()} (which would stop the gateway from starting) and never retries; once it has
 * subscribed it does re-subscribe by itself after a reconnect. So the first subscription is made here, in
 * the background, retried until it succeeds; until then the periodic re-read keeps the cache fresh.
 */
public final class RedisBreakerEventsSubscription implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RedisBreakerEventsSubscription.class);

    private final RedisMessageListenerContainer container;
    private final Duration retryInterval;
    private volatile Thread starter;
    private volatile boolean running;

    public RedisBreakerEventsSubscription(RedisConnectionFactory connections, RedisBreakerEventSubscriber subscriber,
                                          Duration retryInterval) {
        this.retryInterval = retryInterval;
        container = new RedisMessageListenerContainer();
        container.setConnectionFactory(connections);
        container.setRecoveryInterval(retryInterval.toMillis());
        container.addMessageListener(subscriber, new ChannelTopic(RedisBreakerStore.EVENTS_CHANNEL));
        container.afterPropertiesSet();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        starter = new Thread(this::subscribeUntilDone, "circuit-breaker-subscribe");
        starter.setDaemon(true);
        starter.start();
    }

    /** True once subscribed (the container keeps it so across reconnects). */
    public boolean listening() {
        return container.isListening();
    }

    private void subscribeUntilDone() {
        boolean warned = false;
        while (running) {
            try {
                container.start();
                if (container.isListening()) {
                    return;
                }
            } catch (RuntimeException e) {
                if (!warned) {
                    warned = true;
                    log.atWarn().addKeyValue("event", "circuit_breaker_subscribe_failed")
                            .log("cannot subscribe to circuit breaker events yet, retrying: {}", e.toString());
                }
            }
            container.stop(); // a failed start leaves it "running" but deaf; only stop + start retries
            try {
                Thread.sleep(retryInterval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        Thread t = starter;
        if (t != null) {
            t.interrupt();
        }
        container.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Destroys the container (its executors and connection). */
    public void destroy() throws Exception {
        stop();
        container.destroy();
    }
}
