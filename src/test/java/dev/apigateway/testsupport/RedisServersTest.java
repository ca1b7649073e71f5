package dev.apigateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisServersTest {

    @Test
    void serverCanBeKilledAndRestartedOnTheSamePortAsAFreshProcess() {
        try (RedisNode redis = RedisServers.start()) {
            int port = redis.port();
            assertThat(redis.command("PING")).isEqualTo("PONG");
            redis.command("SET", "k", "v");
            String sha = (String) redis.command("SCRIPT", "LOAD", "return 1");

            redis.kill();
            assertThat(redis.isRunning()).isFalse();

            redis.restart();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.isRunning()).isTrue();
            assertThat(redis.command("GET", "k")).isNull();
            assertThat(redis.command("SCRIPT", "EXISTS", sha)).asList().containsExactly(0L);

            redis.stop();
            assertThat(redis.isRunning()).isFalse();
        }
    }

    @Test
    void theSharedServerIsOnePerJvmAndFeedsSpringProperties() {
        RedisNode shared = RedisServers.shared();
        assertThat(RedisServers.shared()).isSameAs(shared);
        java.util.Map<String, Object> props = new java.util.HashMap<>();
        shared.registerSpringProperties(new org.springframework.test.context.DynamicPropertyRegistry() {
            @Override
            public void add(String name, java.util.function.Supplier<Object> value) {
                props.put(name, value.get());
            }
        });
        assertThat(props).containsEntry("spring.data.redis.url", "redis://127.0.0.1:" + shared.port())
                .containsEntry("gateway.state-store", "redis");
        assertThat(shared.command("PING")).isEqualTo("PONG");
    }

    @Test
    void startsAThreeMasterClusterOnLoopback() {
        try (RedisCluster cluster = RedisServers.startCluster(3)) {
            assertThat(cluster.nodes()).hasSize(3);
            String info = (String) cluster.nodes().get(0).command("CLUSTER", "INFO");
            assertThat(info).contains("cluster_state:ok").contains("cluster_known_nodes:3");
            assertThat(cluster.clusterNodes()).startsWith("127.0.0.1:");
        }
    }
}
