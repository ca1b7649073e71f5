package dev.apigateway.testsupport;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A Redis Cluster of {@code n} masters (no replicas) on loopback, from redis-server processes:
 * slots split evenly, nodes introduced with CLUSTER MEET, ready when every node reports
 * {@code cluster_state:ok}. Needs the shipped binary (no container variant: the cluster bus and
 * announced addresses do not survive Docker's port mapping).
 */
public final class RedisCluster implements AutoCloseable {

    private static final int SLOTS = 16384;

    private final List<RedisNode> nodes;

    private RedisCluster(List<RedisNode> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    static RedisCluster start(int masters) {
        if (masters < 1) {
            throw new IllegalArgumentException("masters must be at least 1, was " + masters);
        }
        List<RedisNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < masters; i++) {
                nodes.add(ProcessRedisNode.start(List.of("--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes-" + i + ".conf",
                        "--cluster-node-timeout", "2000"), true));
            }
            RedisCluster cluster = new RedisCluster(nodes);
            cluster.assignSlotsAndMeet();
            cluster.awaitOk(Duration.ofSeconds(20));
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisNode::close);
            throw e;
        }
    }

    public List<RedisNode> nodes() {
        return nodes;
    }

    /** {@code 127.0.0.1:p1,127.0.0.1:p2,...}: the value of {@code spring.data.redis.cluster.nodes}. */
    public String clusterNodes() {
        return nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    /** Points Spring Data Redis at the cluster and selects the Redis state store. */
    public void registerSpringProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.cluster.nodes", this::clusterNodes);
        registry.add("spring.data.redis.url", () -> "");
        registry.add("gateway.state-store", () -> "redis");
    }

    @Override
    public void close() {
        nodes.forEach(RedisNode::close);
    }

    private void assignSlotsAndMeet() {
        int n = nodes.size();
        for (int i = 0; i < n; i++) {
            int from = i * SLOTS / n;
            int to = (i + 1) * SLOTS / n;
            List<String> args = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
            for (int slot = from; slot < to; slot++) {
                args.add(Integer.toString(slot));
            }
            nodes.get(i).command(args.toArray(String[]::new));
        }
        RedisNode first = nodes.get(0);
        for (int i = 1; i < n; i++) {
            first.command("CLUSTER", "MEET", nodes.get(i).host(), Integer.toString(nodes.get(i).port()));
        }
    }

    private void awaitOk(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (nodes.stream().allMatch(RedisCluster::ok)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("cluster did not reach cluster_state:ok within " + timeout + ": " + clusterNodes());
    }

    private static boolean ok(RedisNode node) {
        try {
            Object info = Resp.once(node.host(), node.port(), "CLUSTER", "INFO");
            return info != null && info.toString().contains("cluster_state:ok")
                    && info.toString().contains("cluster_known_nodes:");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
