package dev.apigateway.testsupport;

import io.lettuce.core.ClientOptions;
import java.time.Duration;
import io.lettuce.core.cluster.ClusterClientOptions;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** A Lettuce connection factory as the gateway configures one (fail fast while disconnected). */
public final class RedisTestClients {

    private RedisTestClients() {
    }

    public static LettuceConnectionFactory factory(RedisNode node) {
        return factory(node, Duration.ofSeconds(2));
    }

    public static LettuceConnectionFactory factory(RedisNode node, Duration commandTimeout) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(node.host(), node.port()),
                LettuceClientConfiguration.builder()
                        .commandTimeout(commandTimeout)
                        .clientOptions(ClientOptions.builder()
                                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                                .build())
                        .build());
        return started(factory);
    }

    /** A cluster-mode factory for {@code cluster} (seed nodes: all of its masters), fail fast while disconnected. */
    public static LettuceConnectionFactory factory(RedisCluster cluster) {
        return factory(cluster, Duration.ofSeconds(2));
    }

    public static LettuceConnectionFactory factory(RedisCluster cluster, Duration commandTimeout) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisClusterConfiguration(java.util.List.of(cluster.clusterNodes().split(","))),
                LettuceClientConfiguration.builder()
                        .commandTimeout(commandTimeout)
                        .clientOptions(ClusterClientOptions.builder()
                                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                                .build())
                        .build());
        return started(factory);
    }

    private static LettuceConnectionFactory started(LettuceConnectionFactory factory) {
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
