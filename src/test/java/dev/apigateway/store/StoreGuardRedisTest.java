package dev.apigateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServerExtension;
import dev.apigateway.testsupport.RedisTestClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

@ExtendWith(RedisServerExtension.class)
class StoreGuardRedisTest {

    private LettuceConnectionFactory factory;
    private StoreGuard guard;

    @AfterEach
    void close() {
        guard.close();
        factory.destroy();
    }

    @Test
    void aKilledRedisIsSkippedAfterThresholdErrorsAndUsedAgainOnceRestarted(RedisNode redis) throws Exception {
        factory = RedisTestClients.factory(redis);
        StringRedisTemplate template = new StringRedisTemplate(factory);
        template.execute((RedisCallback<String>) RedisConnection::ping); // connect outside the guard
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        guard = StoreGuard.builder("redis")
                .timeout(Duration.ofSeconds(1))
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .probe(() -> template.execute((RedisCallback<String>) RedisConnection::ping))
                .meterRegistry(meters)
                .build();
        AtomicInteger reached = new AtomicInteger();
        Supplier<Long> increment = () -> {
            reached.incrementAndGet();
            return template.opsForValue().increment("counter");
        };

        assertThat(guard.call("rate_limit", increment)).isEqualTo(1L);

        redis.kill();
        for (int i = 0; i < 3; i++) {
            StoreUnavailableException e = catchThrowableOfType(StoreUnavailableException.class,
                    () -> guard.call("rate_limit", increment));
            assertThat(e.skipped()).isFalse();
        }
        assertThat(guard.isAvailable()).isFalse();
        assertThat(reached).hasValue(4);

        for (int i = 0; i < 50; i++) {
            StoreUnavailableException e = catchThrowableOfType(StoreUnavailableException.class,
                    () -> guard.call("rate_limit", increment));
            assertThat(e.skipped()).isTrue();
        }
        assertThat(reached).as("no call touched Redis during the backoff").hasValue(4);
        assertThat(meters.counter(StoreGuard.ERRORS, "operation", "rate_limit").count()).isEqualTo(3);
        assertThat(meters.counter(StoreGuard.SKIPPED, "operation", "rate_limit").count()).isEqualTo(50);

        redis.restart();
        await("the background probe finds Redis back").atMost(Duration.ofSeconds(20)).until(guard::isAvailable);
        assertThat(guard.call("rate_limit", increment)).as("a fresh server").isEqualTo(1L);
        assertThat(reached).hasValue(5);
    }
}
