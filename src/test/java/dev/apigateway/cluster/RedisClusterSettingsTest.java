package dev.apigateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.store.StateStoreSelection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

/** {@code STATE_STORE=auto} takes Redis from Spring Data Redis's own Cluster and Sentinel settings, in every form. */
class RedisClusterSettingsTest {

    @Test
    void clusterNodesAsOneCommaSeparatedValue() {
        assertRedis(new MockEnvironment().withProperty("spring.data.redis.cluster.nodes", "10.0.0.1:6379,10.0.0.2:6379"),
                "spring.data.redis.cluster.nodes");
    }

    @Test
    void clusterNodesAsAYamlList() {
        assertRedis(new MockEnvironment()
                .withProperty("spring.data.redis.cluster.nodes[0]", "10.0.0.1:6379")
                .withProperty("spring.data.redis.cluster.nodes[1]", "10.0.0.2:6379"), "spring.data.redis.cluster.nodes");
    }

    @Test
    void clusterNodesAsAnEnvironmentVariable() {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new SystemEnvironmentPropertySource("test-env",
                Map.of("SPRING_DATA_REDIS_CLUSTER_NODES", "10.0.0.1:6379")));
        assertRedis(env, "spring.data.redis.cluster.nodes");
    }

    @Test
    void sentinelMasterOrSentinelNodes() {
        assertRedis(new MockEnvironment().withProperty("spring.data.redis.sentinel.master", "mymaster"),
                "spring.data.redis.sentinel.master");
        assertRedis(new MockEnvironment().withProperty("spring.data.redis.sentinel.nodes[0]", "10.0.0.1:26379"),
                "spring.data.redis.sentinel.nodes");
    }

    @Test
    void nothingSetMeansMemoryAndAnEmptyListDoesNotCount() {
        assertThat(StateStoreSelection.resolve(new MockEnvironment()).redis()).isFalse();
        assertThat(StateStoreSelection.resolve(new MockEnvironment()
                .withProperty("spring.data.redis.cluster.nodes", "")).redis()).isFalse();
    }

    private static void assertRedis(org.springframework.core.env.Environment env, String reason) {
        StateStoreSelection selection = StateStoreSelection.resolve(env);
        assertThat(selection.redis()).as(selection.reason()).isTrue();
        assertThat(selection.reason()).contains(reason);
    }
}
