package dev.apigateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class StateStoreSelectionTest {

    @Test
    void autoIsMemoryWithoutRedisSettings() {
        assertThat(StateStoreSelection.resolve(new MockEnvironment()).store()).isEqualTo(StateStoreSelection.Store.MEMORY);
        assertThat(StateStoreSelection.resolve(new MockEnvironment().withProperty("spring.data.redis.url", "")).store())
                .as("application.yml's empty default for REDIS_URL").isEqualTo(StateStoreSelection.Store.MEMORY);
    }

    @Test
    void autoIsRedisWhenAnyRedisSettingIsGiven() {
        for (String hint : new String[] {"REDIS_HOST", "REDIS_URL", "spring.data.redis.url",
                "spring.data.redis.sentinel.master", "spring.data.redis.cluster.nodes"}) {
            StateStoreSelection selection = StateStoreSelection.resolve(new MockEnvironment().withProperty(hint, "x"));
            assertThat(selection.store()).as(hint).isEqualTo(StateStoreSelection.Store.REDIS);
            assertThat(selection.reason()).contains(hint);
        }
    }

    @Test
    void anExplicitModeWins() {
        assertThat(StateStoreSelection.resolve(new MockEnvironment()
                .withProperty("gateway.state-store", "memory").withProperty("REDIS_HOST", "redis")).store())
                .isEqualTo(StateStoreSelection.Store.MEMORY);
        assertThat(StateStoreSelection.resolve(new MockEnvironment().withProperty("gateway.state-store", "Redis")).store())
                .isEqualTo(StateStoreSelection.Store.REDIS);
    }
}
