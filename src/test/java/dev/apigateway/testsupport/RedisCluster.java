package dev.apigateway.testsupport;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A Redis Cluster of {@code n} masters on loopback, from redis-server processes: slots split evenly,
 * nodes introduced with CLUSTER MEET, ready when every node reports {@code cluster_state:ok}. Optionally
 * each master has replicas (CLUSTER REPLICATE, ready when every replica's link to its master is up), so
 * that a killed master's replica is promoted by the cluster's own election. Formed over RESP alone, no
 * redis-cli. Needs the shipped binary (no container variant: the cluster bus and announced addresses do
 * not survive Docker's port mapping).
 */
public final class RedisCluster implements AutoCloseable {

    private static final int SLOTS = 16384;

    private final List<RedisNode> nodes;
    private final int masters;

    private RedisCluster(List<RedisNode> nodes, int masters) {
        this.nodes = List.copyOf(nodes);
        this.masters = masters;
    }

    static RedisCluster start(int masters) {
        return start(masters, 0, Duration.ofMillis(2000));
    }

    /**
     * {@code masters} masters and {@code replicasPerMaster} replicas of each; {@code nodeTimeout} is
     * {@code cluster-node-timeout}: how long a silent master takes to be marked failing (its replica is elected
     * about a second after that).
     */
    static RedisCluster start(int masters, int replicasPerMaster, Duration nodeTimeout) {
        if (masters < 1 || replicasPerMaster < 0) {
            throw new IllegalArgumentException("masters must be at least 1, replicas at least 0: " + masters + ", "
                    + replicasPerMaster);
        }
        List<RedisNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
                nodes.add(ProcessRedisNode.start(List.of("--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes-" + i + ".conf",
                        "--cluster-node-timeout", Long.toString(nodeTimeout.toMillis())), true));
            }
            RedisCluster cluster = new RedisCluster(nodes, masters);
            cluster.assignSlotsAndMeet();
            cluster.awaitOk(Duration.ofSeconds(20));
            cluster.attachReplicas(Duration.ofSeconds(20));
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisNode::close);
            throw e;
        }
    }

    /** Every node, the masters first (in the order of their slot ranges), then the replicas. */
    public List<RedisNode> nodes() {
        return nodes;
    }

    /** The nodes started as masters, in the order of their slot ranges (a failover changes who is master). */
    public List<RedisNode> initialMasters() {
        return nodes.subList(0, masters);
    }

    /** The nodes started as replicas of {@code master}. */
    public List<RedisNode> initialReplicasOf(RedisNode master) {
        int index = nodes.indexOf(master);
        if (index < 0 || index >= masters) {
            throw new IllegalArgumentException("not one of the initial masters: " + master.port());
        }
        List<RedisNode> replicas = new ArrayList<>();
        for (int i = masters + index; i < nodes.size(); i += masters) {
            replicas.add(nodes.get(i));
        }
        return replicas;
    }

    /** The node's own cluster node id ({@code CLUSTER MYID}). */
    public static String nodeId(RedisNode node) {
        return String.valueOf(node.command("CLUSTER", "MYID"));
    }

    /** {@code master} or {@code slave}, as the node's own {@code ROLE} says. */
    public static String role(RedisNode node) {
        return String.valueOf(((List<?>) node.command("ROLE")).get(0));
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
        int n = masters;
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
        for (int i = 1; i < nodes.size(); i++) {
            first.command("CLUSTER", "MEET", nodes.get(i).host(), Integer.toString(nodes.get(i).port()));
        }
    }

    /** Each replica follows its master once it has learnt the master's id by gossip; ready when the link is up. */
    private void attachReplicas(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (RedisNode master : initialMasters()) {
            String masterId = nodeId(master);
            for (RedisNode replica : initialReplicasOf(master)) {
                while (true) {
                    try {
                        replica.command("CLUSTER", "REPLICATE", masterId);
                        break;
                    } catch (Resp.RespError unknownYet) {
                        // "ERR Unknown node": the MEET has not reached it yet
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("replica " + replica.port() + " could not follow "
                                    + master.port() + ": " + unknownYet.getMessage());
                        }
                        pause();
                    }
                }
            }
        }
        for (RedisNode replica : nodes.subList(masters, nodes.size())) {
            while (!String.valueOf(replica.command("INFO", "replication")).contains("master_link_status:up")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replica " + replica.port() + " did not sync within " + timeout);
                }
                pause();
            }
        }
        awaitOk(timeout);
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
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
