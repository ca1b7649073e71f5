package dev.apigateway.store;

import dev.apigateway.config.GatewayProperties;
import io.lettuce.core.ClientOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientOptionsBuilderCustomizer;
import org.springframework.beans.factory.SmartInitializingSingleton;
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

        @Bean(destroyMethod = "close")
        StoreGuard storeGuard(GatewayProperties properties, StringRedisTemplate redis, MeterRegistry meters) {
            return StoreGuard.builder("redis")
                    .timeout(properties.getStoreTimeout())
                    .meterRegistry(meters)
                    .probe(ping(redis))
                    .build();
        }

        @Bean(initMethod = "start", destroyMethod = "close")
        InstanceRegistry instanceRegistry(StringRedisTemplate redis, StoreGuard guard, Environment environment) {
            String app = environment.getProperty("spring.application.name", "api-gateway");
            return new InstanceRegistry(redis, guard, app + "-" + hostName() + "-" + UUID.randomUUID().toString().substring(0, 8));
        }

        /**
         * Opens the Redis connection before the web server takes traffic: a first request must not pay for the
         * connect (and lose its store call to STORE_TIMEOUT_MS). Redis being away does not stop the start: the
         * fail mode decides then.
         */
        @Bean
        SmartInitializingSingleton redisConnectionWarmUp(StringRedisTemplate redis) {
            return () -> {
                try {
                    ping(redis).get();
                } catch (RuntimeException e) {
                    log.atWarn().addKeyValue("event", "store_unavailable")
                            .log("Redis does not answer at start ({}); serving by RATE_LIMIT_FAIL_MODE until it does",
                                    e.getMessage());
                }
            };
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
