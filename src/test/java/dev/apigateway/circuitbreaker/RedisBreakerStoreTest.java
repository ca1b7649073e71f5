package dev.apigateway.circuitbreaker;

import dev.apigateway.circuitbreaker.redis.RedisBreakerStore;
import dev.apigateway.store.SharedStore;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The breaker contract against the Lua scripts on a real redis-server; two connection factories = two instances. */
class RedisBreakerStoreTest extends BreakerStoreContract {

    private static TestRedisServer redis;
    private static LettuceConnectionFactory connectionsA;
    private static LettuceConnectionFactory connectionsB;
    private static RedisBreakerStore storeA;
    private static RedisBreakerStore storeB;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = TestRedisServer.start();
        connectionsA = redis.connectionFactory(Duration.ofSeconds(2));
        connectionsB = redis.connectionFactory(Duration.ofSeconds(2));
        storeA = new RedisBreakerStore(new StringRedisTemplate(connectionsA), SharedStore.direct(), new ObjectMapper());
        storeB = new RedisBreakerStore(new StringRedisTemplate(connectionsB), SharedStore.direct(), new ObjectMapper());
    }

    @AfterAll
    static void stopRedis() throws Exception {
        connectionsA.destroy();
        connectionsB.destroy();
        redis.close();
    }

    @Override
    BreakerStore store() {
        return storeA;
    }

    @Override
    BreakerStore otherInstance() {
        return storeB;
    }

    @Test
    void stateIsOneHashPerRouteWithAHashTag() throws Exception {
        trip();
        String key = "api-gateway:circuit-breaker:{" + route + "}";
        assertThat(RedisBreakerStore.key(route)).isEqualTo(key);
        assertThat(redis.command("TYPE", key).trim()).isEqualTo("hash");
        assertThat(redis.command("HGET", key, "state").trim()).isEqualTo("OPEN");
        assertThat(redis.command("HGET", key, "generation").trim()).isEqualTo("1");
        assertThat(redis.command("HGET", key, "opened_until_ms").trim()).isEqualTo(Long.toString(T0 + 2 + 30_000));
    }

    @Test
    void withoutNowTheScriptsUseTheServerClock() {
        long before = System.currentTimeMillis();
        BreakerUpdate opened = storeA.force(route, BreakerState.OPEN, POLICY, null);
        long after = System.currentTimeMillis();
        assertThat(opened.after().observedAtMs()).isBetween(before - 1_000, after + 1_000);
        assertThat(opened.after().openedUntilMs()).isEqualTo(opened.after().observedAtMs() + 30_000);
    }

    @Test
    void readingANeverWrittenBreakerWritesNothing() throws Exception {
        BreakerSnapshot s = storeA.read(route, T0);
        assertThat(s.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(s.generation()).isZero();
        assertThat(redis.command("EXISTS", RedisBreakerStore.key(route)).trim()).isEqualTo("0");
    }
}
