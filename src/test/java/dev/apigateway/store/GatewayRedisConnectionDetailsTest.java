package dev.apigateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.data.redis.RedisConnectionDetails.Node;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;

class GatewayRedisConnectionDetailsTest {

    @Test
    void aBlankUrlMeansHostPortAndPassword() {
        RedisProperties p = new RedisProperties();
        p.setUrl("");
        p.setHost("redis.internal");
        p.setPort(6380);
        p.setPassword("secret");
        GatewayRedisConnectionDetails details = new GatewayRedisConnectionDetails(p);
        assertThat(details.getStandalone().getHost()).isEqualTo("redis.internal");
        assertThat(details.getStandalone().getPort()).isEqualTo(6380);
        assertThat(details.getPassword()).isEqualTo("secret");
        assertThat(details.getSentinel()).isNull();
        assertThat(details.getCluster()).isNull();
    }

    @Test
    void aUrlWinsWithItsCredentialsAndDatabase() {
        RedisProperties p = new RedisProperties();
        p.setUrl("rediss://gw:p%40ss@cache.example:6390/2");
        p.setPassword("ignored");
        GatewayRedisConnectionDetails details = new GatewayRedisConnectionDetails(p);
        assertThat(details.getStandalone().getHost()).isEqualTo("cache.example");
        assertThat(details.getStandalone().getPort()).isEqualTo(6390);
        assertThat(details.getStandalone().getDatabase()).isEqualTo(2);
        assertThat(details.getUsername()).isEqualTo("gw");
        assertThat(details.getPassword()).isEqualTo("p@ss");

        p.setUrl("redis://:only-password@localhost");
        assertThat(details.getUsername()).isNull();
        assertThat(details.getPassword()).isEqualTo("only-password");
        assertThat(details.getStandalone().getPort()).isEqualTo(6379);
    }

    @Test
    void clusterAndSentinelNodesComeFromTheirProperties() {
        RedisProperties p = new RedisProperties();
        RedisProperties.Cluster cluster = new RedisProperties.Cluster();
        cluster.setNodes(List.of("127.0.0.1:7000", "127.0.0.1:7001"));
        p.setCluster(cluster);
        RedisProperties.Sentinel sentinel = new RedisProperties.Sentinel();
        sentinel.setMaster("mymaster");
        sentinel.setNodes(List.of("10.0.0.1:26379"));
        p.setSentinel(sentinel);
        GatewayRedisConnectionDetails details = new GatewayRedisConnectionDetails(p);
        assertThat(details.getCluster().getNodes()).containsExactly(new Node("127.0.0.1", 7000), new Node("127.0.0.1", 7001));
        assertThat(details.getSentinel().getMaster()).isEqualTo("mymaster");
        assertThat(details.getSentinel().getNodes()).containsExactly(new Node("10.0.0.1", 26379));
    }
}
