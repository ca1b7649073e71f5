package dev.apigateway.bench.vertx;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Lettuce for the limiter, without Spring Data Redis: one shared connection (it pipelines every loop's commands),
 * command timeout {@code STORE_TIMEOUT_MS} as the gateway's. Off with {@code SPIKE_LIMITER=off} (the engine's cost
 * alone).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "SPIKE_LIMITER", havingValue = "on", matchIfMissing = true)
class RedisLimiterConfiguration {

    @Bean(destroyMethod = "shutdown")
    ClientResources lettuceResources(Vertx vertx, @Value("${SPIKE_LETTUCE_LOOPS:lettuce}") String loops) {
        DefaultClientResources.Builder resources = DefaultClientResources.builder();
        switch (loops) {
            case "lettuce" -> { }
            case "vertx" -> resources.eventLoopGroupProvider(
                    new VertxEventLoops(vertx, VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE));
            default -> throw new IllegalArgumentException("SPIKE_LETTUCE_LOOPS must be lettuce or vertx, not " + loops);
        }
        return resources.build();
    }

    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(ClientResources resources, @Value("${REDIS_HOST:localhost}") String host,
            @Value("${REDIS_PORT:6379}") int port, @Value("${STORE_TIMEOUT_MS:50}") long timeoutMillis) {
        // the URI's timeout bounds the connection handshake (the gateway's connect-timeout, 2 s); the commands get
        // the store's timeout
        RedisClient client = RedisClient.create(resources, RedisURI.builder().withHost(host).withPort(port)
                .withTimeout(Duration.ofSeconds(2)).build());
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(timeoutMillis))).build());
        return client;
    }

    @Bean(destroyMethod = "close")
    StatefulRedisConnection<byte[], byte[]> redisConnection(RedisClient client) {
        return client.connect(ByteArrayCodec.INSTANCE);
    }

    @Bean
    RedisTokenBucketLimiter rateLimiter(StatefulRedisConnection<byte[], byte[]> connection,
            @Value("${RATE_LIMIT_CAPACITY:100}") long capacity, @Value("${RATE_LIMIT_REFILL_RATE:100}") long refill,
            @Value("${RATE_LIMIT_REFILL_PERIOD_SECONDS:1}") long periodSeconds) throws IOException {
        byte[] script;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("token_bucket.lua")) {
            if (in == null) {
                throw new IllegalStateException("token_bucket.lua is missing from the jar");
            }
            script = in.readAllBytes();
        }
        return new RedisTokenBucketLimiter(connection.async(), script, capacity, refill, periodSeconds * 1_000_000L);
    }
}
