package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServerExtension;
import dev.apigateway.testsupport.RedisTestClients;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

@ExtendWith(RedisServerExtension.class)
class RedisTokenBucketStoreTest extends TokenBucketStoreContract {

    private static LettuceConnectionFactory factory;
    private static RedisTokenBucketStore store;
    private static RedisNode redis;

    @BeforeAll
    static void connect(RedisNode node) {
        redis = node;
        factory = RedisTestClients.factory(node);
        store = new RedisTokenBucketStore(factory, Duration.ofSeconds(2));
    }

    @AfterAll
    static void disconnect() {
        factory.destroy();
    }

    @Override
    TokenBucketStore store() {
        return store;
    }

    @Test
    void bucketLivesUnderTheContractKeyAsOneHash() {
        RateLimitPolicy policy = RateLimitPolicy.of(10, 10, 60);
        at(T0, "proxy-default", "192.0.2.7", policy);
        assertThat(redis.command("KEYS", "api-gateway:rate-limit:*")).asList()
                .containsExactly("api-gateway:rate-limit:{proxy-default:192.0.2.7}");
        assertThat(redis.command("TYPE", "api-gateway:rate-limit:{proxy-default:192.0.2.7}")).isEqualTo("hash");
        assertThat(redis.command("HGET", "api-gateway:rate-limit:{proxy-default:192.0.2.7}", "tokens")).isEqualTo("9");
        assertThat(redis.command("HGET", "api-gateway:rate-limit:{proxy-default:192.0.2.7}", "ts"))
                .isEqualTo(Long.toString(T0));
    }

    @Test
    void ttlIsTheTimeToRefillPlusAMarginAndNeverZero() {
        // Spring Cloud Gateway's floor(2 * burst / rate) is 0 here
        RateLimitPolicy tiny = RateLimitPolicy.of(1, 1000, 1);
        at(T0, "r", "tiny", tiny);
        long tinyTtl = (Long) redis.command("PTTL", RateLimitKeys.bucketKey("r", "tiny"));
        assertThat(tinyTtl).isBetween(900L, 1_001L);

        RateLimitPolicy big = RateLimitPolicy.of(100, 10, 60); // 600 s to refill an empty bucket
        at(T0, "r", "big", big);
        long bigTtl = (Long) redis.command("PTTL", RateLimitKeys.bucketKey("r", "big"));
        assertThat(bigTtl).isBetween(600_000L, 601_000L);
        assertThat(TokenBucketMath.ttlMillis(big)).isEqualTo(601_000L);
    }

    @Test
    void stillWorksAfterScriptFlushNoScriptIsReloaded() {
        RateLimitPolicy policy = RateLimitPolicy.of(3, 1, 60);
        assertThat(at(T0, "r", "k", policy).remaining()).isEqualTo(2);
        redis.scriptFlush();
        assertThat(redis.command("SCRIPT", "EXISTS", RedisTokenBucketStore.scriptSha1()))
                .asList().containsExactly(0L);

        assertThat(at(T0, "r", "k", policy).remaining()).isEqualTo(1);
        assertThat(redis.command("SCRIPT", "EXISTS", RedisTokenBucketStore.scriptSha1()))
                .asList().containsExactly(1L);
        assertThat(at(T0, "r", "k", policy).remaining()).isZero();
    }

    @Test
    void withoutNowTheRedisServerClockIsUsed() {
        RateLimitPolicy policy = RateLimitPolicy.of(2, 1, 3600);
        List<?> time = (List<?>) redis.command("TIME");
        long before = Long.parseLong(time.get(0).toString()) * SECOND + Long.parseLong(time.get(1).toString());

        assertThat(store.acquire("r", "srv", policy, OptionalLong.empty()).allowed()).isTrue();
        assertThat(store.acquire("r", "srv", policy, OptionalLong.empty()).allowed()).isTrue();
        assertThat(store.acquire("r", "srv", policy, OptionalLong.empty()).allowed()).isFalse();

        long ts = Long.parseLong((String) redis.command("HGET", RateLimitKeys.bucketKey("r", "srv"), "ts"));
        assertThat(ts).isBetween(before, before + 60 * SECOND);
    }

    @Test
    void javaAndLuaAgreeOnAwkwardFractions() {
        RateLimitPolicy policy = RateLimitPolicy.of(7, 3, 11);
        InMemoryTokenBucketStore memory = new InMemoryTokenBucketStore();
        long now = T0;
        for (int i = 0; i < 200; i++) {
            now += (i * 7919L) % (3 * SECOND);
            RateLimitDecision fromRedis = at(now, "r", "awkward", policy);
            RateLimitDecision fromMemory = memory.acquire("r", "awkward", policy, OptionalLong.of(now));
            assertThat(fromRedis).as("request %d", i).isEqualTo(fromMemory);
        }
        assertThat(redis.command("HGET", RateLimitKeys.bucketKey("r", "awkward"), "tokens")).isNotNull();
    }

    @Test
    void eachLimitIsAHashUnderTheRoutesHashTagWithItsOwnTtl() {
        RateLimitPlan plan = RateLimitPlan.parse("burst:20:10:1,daily:10000:10000:86400");
        at(T0, "proxy", "ip:192.0.2.8", plan, 1);
        assertThat(redis.command("KEYS", "api-gateway:rate-limit:*")).asList().containsExactlyInAnyOrder(
                "api-gateway:rate-limit:{proxy:ip:192.0.2.8}:burst",
                "api-gateway:rate-limit:{proxy:ip:192.0.2.8}:daily");
        assertThat(redis.command("HGET", "api-gateway:rate-limit:{proxy:ip:192.0.2.8}:daily", "tokens"))
                .isEqualTo("9999");
        assertThat((Long) redis.command("PTTL", "api-gateway:rate-limit:{proxy:ip:192.0.2.8}:burst"))
                .isBetween(2_000L, 3_000L);
        assertThat((Long) redis.command("PTTL", "api-gateway:rate-limit:{proxy:ip:192.0.2.8}:daily"))
                .isBetween(86_000_000L, 86_401_000L);
    }

    @Test
    void javaAndLuaAgreeOnSeveralLimitsWithCostsAndAShadow() {
        RateLimitPlan plan = RateLimitPlan.parse("burst:7:3:11,hourly:23:5:3600,trial:4:1:7:shadow");
        InMemoryTokenBucketStore memory = new InMemoryTokenBucketStore();
        long now = T0;
        for (int i = 0; i < 300; i++) {
            now += (i * 7919L) % (3 * SECOND);
            long cost = 1 + i % 3;
            RateLimitVerdict fromRedis = at(now, "r", "awkward-plan", plan, cost);
            RateLimitVerdict fromMemory = memory.acquire("r", "awkward-plan", plan, cost, OptionalLong.of(now));
            assertThat(fromRedis).as("request %d", i).isEqualTo(fromMemory);
        }
    }
}
