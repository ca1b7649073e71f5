package dev.apigateway.circuitbreaker.redis;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration.LettuceClientConfigurationBuilder;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Keeps this instance subscribed to {@link RedisBreakerStore#EVENTS_CHANNEL}.
 *
 * <p>The subscription has its own connection factory, a copy of the gateway's with a generous command timeout
 * ({@link #SUBSCRIBE_TIMEOUT}): with the store timeout of 50 ms a SUBSCRIBE at start, on a cold JVM, timed out
 * ({@code SubscriptionTask aborted with exception: QueryTimeoutException}). Why not a plain container bean: a
 * {@link RedisMessageListenerContainer} started while Redis is down throws from {@code start()} (which would stop
 * the gateway from starting) and never retries; once it has subscribed Lettuce re-subscribes by itself after a
 * reconnect. So the first subscription is made here, in the background, retried until it holds; until then the
 * periodic re-read keeps the cache fresh, and after each (re)subscription the subscriber has every breaker
 * re-read.
 */
public final class RedisBreakerEventsSubscription implements SmartLifecycle {

    /** The command timeout of the subscription's own connection. */
    public static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(RedisBreakerEventsSubscription.class);

    private final RedisMessageListenerContainer container;
    private final RedisBreakerEventSubscriber subscriber;
    private final LettuceConnectionFactory ownConnections;
    private final Duration retryInterval;
    private volatile Thread starter;
    private volatile boolean running;

    public RedisBreakerEventsSubscription(RedisConnectionFactory connections, RedisBreakerEventSubscriber subscriber,
                                          Duration retryInterval) {
        this.subscriber = subscriber;
        this.retryInterval = retryInterval;
        this.ownConnections = connections instanceof LettuceConnectionFactory lettuce
                ? withCommandTimeout(lettuce, SUBSCRIBE_TIMEOUT) : null;
        container = new RedisMessageListenerContainer();
        container.setConnectionFactory(ownConnections != null ? ownConnections : connections);
        container.setRecoveryInterval(retryInterval.toMillis());
        container.setMaxSubscriptionRegistrationWaitingTime(SUBSCRIBE_TIMEOUT.toMillis());
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

    /** True while subscribed: the subscription was confirmed and the container listens. */
    public boolean listening() {
        return subscriber.subscribed() && container.isListening();
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

    /** Destroys the container (its executors and connection) and the subscription's own connection factory. */
    public void destroy() throws Exception {
        stop();
        container.destroy();
        if (ownConnections != null) {
            ownConnections.destroy();
        }
    }

    /** The same servers, TLS, credentials and client resources as {@code main}, another command timeout. */
    static LettuceConnectionFactory withCommandTimeout(LettuceConnectionFactory main, Duration timeout) {
        LettuceClientConfiguration c = main.getClientConfiguration();
        LettuceClientConfigurationBuilder b = LettuceClientConfiguration.builder();
        if (c.isUseSsl()) {
            var ssl = b.useSsl();
            if (!c.isVerifyPeer()) {
                ssl.disablePeerVerification();
            }
            if (c.isStartTls()) {
                ssl.startTls();
            }
            b = ssl.and();
        }
        c.getClientResources().ifPresent(b::clientResources);
        c.getClientOptions().ifPresent(b::clientOptions);
        c.getClientName().ifPresent(b::clientName);
        c.getRedisCredentialsProviderFactory().ifPresent(b::redisCredentialsProviderFactory);
        LettuceClientConfiguration config = b.commandTimeout(timeout).shutdownTimeout(c.getShutdownTimeout()).build();
        LettuceConnectionFactory own = main.isClusterAware() ? new LettuceConnectionFactory(main.getClusterConfiguration(), config)
                : main.isRedisSentinelAware() ? new LettuceConnectionFactory(main.getSentinelConfiguration(), config)
                : new LettuceConnectionFactory(main.getStandaloneConfiguration(), config);
        own.afterPropertiesSet();
        own.start();
        return own;
    }
}
