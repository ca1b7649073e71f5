package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InMemoryTokenBucketStoreTest extends TokenBucketStoreContract {

    private InMemoryTokenBucketStore store;

    @BeforeEach
    void newStore() {
        store = new InMemoryTokenBucketStore();
    }

    @Override
    TokenBucketStore store() {
        return store;
    }

    @Test
    void aFloodOfDistinctKeysStaysUnderTheBound() {
        long max = 10_000;
        InMemoryTokenBucketStore bounded = new InMemoryTokenBucketStore(max, () -> T0);
        RateLimitPolicy policy = RateLimitPolicy.of(100, 10, 60);
        for (int i = 0; i < 200_000; i++) {
            bounded.acquire("proxy-default", "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255),
                    policy, OptionalLong.empty());
            if (i % 10_000 == 0) {
                assertThat(bounded.size()).isLessThanOrEqualTo(max);
            }
        }
        assertThat(bounded.size()).isLessThanOrEqualTo(max).isGreaterThan(max / 2);
    }

    @Test
    void withoutNowTheStoreClockIsUsed() {
        long[] now = {T0};
        InMemoryTokenBucketStore clocked = new InMemoryTokenBucketStore(100, () -> now[0]);
        RateLimitPolicy policy = RateLimitPolicy.of(1, 1, 1);
        assertThat(clocked.acquire("r", "k", policy, OptionalLong.empty()).allowed()).isTrue();
        assertThat(clocked.acquire("r", "k", policy, OptionalLong.empty()).allowed()).isFalse();
        now[0] += SECOND;
        assertThat(clocked.acquire("r", "k", policy, OptionalLong.empty()).allowed()).isTrue();
    }
}
