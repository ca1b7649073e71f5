package dev.apigateway.store;

import dev.apigateway.config.GatewayProperties;
import dev.apigateway.tracing.GatewayTracer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.data.redis.ClientResourcesBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The shared state store: which one ({@link StateStoreSelection}, logged once), and for Redis the
 * {@link StoreGuard} every store call goes through (rate limiter and circuit breaker alike), the
 * instance registry and the {@code store} health contributor. In memory mode no bean here touches
 * Redis (Spring Boot's Lettuce factory connects lazily).
 */
@Configuration(proxyBeanMethods = false)
public class StateStoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StateStoreConfiguration.class);

    @Bean
    StateStoreSelection stateStoreSelection(Environment environment) {
        StateStoreSelection selection = StateStoreSelection.resolve(environment);
        if (selection.redis()) {
            log.atInfo().addKeyValue("event", "state_store").addKeyValue("store", "redis")
                    .log("state store: redis (shared by every instance) — " + selection.reason());
        } else {
            log.atInfo().addKeyValue("event", "state_store").addKeyValue("store", "memory")
                    .log("state store: memory (single instance) — set REDIS_HOST or REDIS_URL to share state");
        }
        return selection;
    }

    /** Named {@code storeHealthIndicator} in both modes: the health contributor {@code store}. */
    @Bean("storeHealthIndicator")
    @ConditionalOnStateStore(StateStoreSelection.Store.MEMORY)
    StoreHealthIndicator memoryStoreHealthIndicator(StateStoreSelection selection) {
        return StoreHealthIndicator.memory(selection);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnStateStore(StateStoreSelection.Store.REDIS)
    static class RedisStateStoreConfiguration {

        /** Fail fast while disconnected instead of queueing commands until they time out. */
        @Bean
        LettuceClientOptionsBuilderCustomizer gatewayLettuceFailFast() {
            return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        }

        /**
         * Reconnect attempts at most a second apart (Lettuce's default grows to 30 s), so the gateway
         * is back on Redis about a second after Redis is.
         */
        @Bean
        ClientResourcesBuilderCustomizer gatewayLettuceReconnectDelay() {
            return resources -> resources.reconnectDelay(
                    Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS));
        }

        @Bean(destroyMethod = "close")
        StoreGuard storeGuard(GatewayProperties properties, StringRedisTemplate redis, MeterRegistry meters,
                              ObjectProvider<GatewayTracer> tracer) {
            return StoreGuard.builder("redis")
                    .tracer(tracer.getIfAvailable(() -> GatewayTracer.OFF))
                    .timeout(properties.getStoreTimeout())
                    // spring.data.redis.timeout follows STORE_TIMEOUT_MS in application.yml
                    .inlineWhenHealthy(true)
                    .meterRegistry(meters)
                    .probe(ping(redis))
                    .build();
        }

        /** A SmartLifecycle: connects and starts beating once the connection factory has started. */
        @Bean(destroyMethod = "close")
        InstanceRegistry instanceRegistry(StringRedisTemplate redis, StoreGuard guard, Environment environment) {
            String app = environment.getProperty("spring.application.name", "api-gateway");
            return new InstanceRegistry(redis, guard, app + "-" + hostName() + "-" + UUID.randomUUID().toString().substring(0, 8));
        }

        @Bean
        StoreHealthIndicator storeHealthIndicator(StateStoreSelection selection, StoreGuard guard,
                                                  StringRedisTemplate redis, GatewayProperties properties) {
            return new StoreHealthIndicator(selection, guard, ping(redis), properties.getRateLimit().getFailMode());
        }

        /**
         * PING (on a Cluster: every master), and on a Cluster also its state: a cluster with uncovered slots answers
         * PING but refuses every key (cluster-require-full-coverage), so it counts as unreachable. Through the factory's
         * cluster connection: the template hands callbacks a string connection that hides the cluster commands.
         */
        private static Supplier<String> ping(StringRedisTemplate redis) {
            RedisConnectionFactory factory = redis.getRequiredConnectionFactory();
            if (!(factory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware())) {
                return () -> redis.execute((RedisCallback<String>) RedisConnection::ping);
            }
            return () -> {
                try (RedisClusterConnection cluster = factory.getClusterConnection()) {
                    String pong = cluster.ping();
                    String state = cluster.clusterGetClusterInfo().getState();
                    if (!"PONG".equals(pong) || !"ok".equals(state)) {
                        throw new IllegalStateException("Redis Cluster state is " + state + ", PING answered " + pong);
                    }
                    return pong;
                }
            };
        }

        private static String hostName() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                return "unknown-host";
            }
        }
    }
}
