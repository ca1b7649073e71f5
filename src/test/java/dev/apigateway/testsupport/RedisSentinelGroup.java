package dev.apigateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One master, one replica and one Sentinel (monitoring {@link #MASTER_NAME}, quorum 1) on loopback, from the
 * redis-server binary the other test servers use. The data nodes require {@code dataPassword}, the Sentinel
 * {@code sentinelPassword}. {@link #failover()} runs {@code SENTINEL FAILOVER} and waits until the replica is the
 * master. Test plumbing talks to the nodes through {@link Resp}, authenticated.
 */
public final class RedisSentinelGroup implements AutoCloseable {

    public static final String MASTER_NAME = "mymaster";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final String dataPassword;
    private final String sentinelPassword;
    private final RedisNode first;
    private final RedisNode second;
    private final int sentinelPort;
    private final Path sentinelDir;
    private Process sentinel;

    private RedisSentinelGroup(String dataPassword, String sentinelPassword, RedisNode first, RedisNode second,
                               int sentinelPort, Path sentinelDir) {
        this.dataPassword = dataPassword;
        this.sentinelPassword = sentinelPassword;
        this.first = first;
        this.second = second;
        this.sentinelPort = sentinelPort;
        this.sentinelDir = sentinelDir;
    }

    public static RedisSentinelGroup start(String dataPassword, String sentinelPassword) {
        RedisNode master = ProcessRedisNode.start(List.of("--masterauth", dataPassword), false);
        RedisNode replica = null;
        RedisSentinelGroup group = null;
        try {
            // the password comes after start: the node's start-up check PINGs without one
            master.command("CONFIG", "SET", "requirepass", dataPassword);
            replica = ProcessRedisNode.start(List.of("--masterauth", dataPassword,
                    "--replicaof", master.host(), Integer.toString(master.port())), false);
            replica.command("CONFIG", "SET", "requirepass", dataPassword);
            group = new RedisSentinelGroup(dataPassword, sentinelPassword, master, replica,
                    ProcessRedisNode.freePort(false), Files.createTempDirectory("test-sentinel-"));
            group.launchSentinel();
            RedisSentinelGroup g = group;
            await("replica in sync", () -> String.valueOf(g.data(g.second, "INFO", "replication"))
                    .contains("master_link_status:up"));
            await("sentinel knows the replica", () -> String.valueOf(g.sentinel("SENTINEL", "REPLICAS", MASTER_NAME))
                    .contains(Integer.toString(g.second.port())));
            return group;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            if (group != null) {
                group.close();
            } else {
                master.close();
                if (replica != null) {
                    replica.close();
                }
            }
            throw e;
        }
    }

    /** {@code 127.0.0.1:port}: the value of {@code spring.data.redis.sentinel.nodes}. */
    public String sentinelNodes() {
        return "127.0.0.1:" + sentinelPort;
    }

    /** The port of the node the Sentinel names master now. */
    public int masterPort() {
        List<?> addr = (List<?>) sentinel("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        return Integer.parseInt(addr.get(1).toString());
    }

    /** The data node on {@code port}. */
    public RedisNode node(int port) {
        return first.port() == port ? first : second;
    }

    /** One command to a data node, authenticated. */
    public Object data(RedisNode node, String... args) {
        return call(node.port(), dataPassword, args);
    }

    /** One command to the Sentinel, authenticated. */
    public Object sentinel(String... args) {
        return call(sentinelPort, sentinelPassword, args);
    }

    /** {@code SENTINEL FAILOVER}, then waits until the other node is master and the old one its replica. */
    public void failover() {
        int before = masterPort();
        await("SENTINEL FAILOVER accepted", () -> {
            try {
                return "OK".equals(sentinel("SENTINEL", "FAILOVER", MASTER_NAME));
            } catch (Resp.RespError e) {
                return false; // e.g. no suitable replica yet, or a failover in progress
            }
        });
        await("the replica promoted", () -> masterPort() != before
                && String.valueOf(data(node(masterPort()), "ROLE")).startsWith("[master"));
        await("the old master follows the new one", () -> String.valueOf(data(node(before), "INFO", "replication"))
                .contains("master_link_status:up"));
    }

    @Override
    public void close() {
        if (sentinel != null) {
            sentinel.destroyForcibly();
            try {
                sentinel.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        first.close();
        second.close();
    }

    private void launchSentinel() throws IOException {
        Path conf = sentinelDir.resolve("sentinel.conf");
        Files.writeString(conf, String.join("\n",
                "port " + sentinelPort,
                "bind 127.0.0.1",
                "daemonize no",
                "dir " + sentinelDir,
                "logfile " + sentinelDir.resolve("sentinel.log"),
                "requirepass " + sentinelPassword,
                "sentinel monitor " + MASTER_NAME + " " + first.host() + " " + first.port() + " 1",
                "sentinel auth-pass " + MASTER_NAME + " " + dataPassword,
                "sentinel down-after-milliseconds " + MASTER_NAME + " 2000",
                "sentinel failover-timeout " + MASTER_NAME + " 10000",
                "") );
        sentinel = new ProcessBuilder(ProcessRedisNode.binaryPath().toString(), conf.toString(), "--sentinel")
                .directory(sentinelDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(sentinelDir.resolve("stdout.log").toFile())
                .start();
        await("sentinel answers", () -> {
            try {
                return masterPort() == first.port();
            } catch (RuntimeException e) {
                if (!sentinel.isAlive()) {
                    throw new IllegalStateException("sentinel exited: " + log());
                }
                return false;
            }
        });
    }

    private String log() {
        try {
            return Files.readString(sentinelDir.resolve("sentinel.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static Object call(int port, String password, String... args) {
        try (Resp resp = new Resp("127.0.0.1", port, Duration.ofSeconds(5))) {
            resp.command("AUTH", password);
            return resp.command(args);
        } catch (IOException e) {
            throw new UncheckedIOException("127.0.0.1:" + port + " " + String.join(" ", args), e);
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (IllegalStateException e) {
                throw e;
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("not within " + WAIT + ": " + what, last);
    }
}
