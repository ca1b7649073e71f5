package dev.apigateway.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Real Redis servers for tests.
 *
 * <ul>
 *   <li>{@link #start()}: a new server on a free loopback port: a Testcontainers container where
 *       Docker runs, otherwise the redis-server binary shipped in {@code embedded-redis}. The system
 *       property {@code test.redis.backend=process|container} forces one.</li>
 *   <li>{@link #shared()}: one server for the whole JVM, for {@code @SpringBootTest} classes using
 *       {@code @DynamicPropertySource} (see {@link RedisNode#registerSpringProperties}).</li>
 *   <li>{@link #startCluster(int)}: a Redis Cluster of n masters on loopback; {@link #startCluster(int, int, Duration)}
 *       with replicas that the cluster promotes when their master dies.</li>
 *   <li>{@link #startTls(TestCertificates)}: a server that speaks TLS on its client port.</li>
 * </ul>
 * Every server started here is stopped by a JVM shutdown hook if a test forgot it.
 */
public final class RedisServers {

    private static final Logger log = LoggerFactory.getLogger(RedisServers.class);
    private static final Set<RedisNode> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile Boolean docker;
    private static RedisNode shared;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(RedisServers::stopAll, "test-redis-shutdown"));
    }

    private RedisServers() {
    }

    /** A new, empty server; close it when done (or let {@link RedisServerExtension} do it). */
    public static RedisNode start() {
        return useContainers() ? ContainerRedisNode.start() : ProcessRedisNode.start(List.of(), false);
    }

    /** One server shared by the whole test JVM, started on first use and stopped at JVM exit. */
    public static synchronized RedisNode shared() {
        if (shared == null) {
            shared = start();
        } else if (!shared.isRunning()) {
            shared.restart();
        }
        return shared;
    }

    /** A Redis Cluster with {@code masters} masters on loopback (redis-server processes). */
    public static RedisCluster startCluster(int masters) {
        return RedisCluster.start(masters);
    }

    /** A Redis Cluster of {@code masters} masters, each with {@code replicasPerMaster} replicas. */
    public static RedisCluster startCluster(int masters, int replicasPerMaster, Duration nodeTimeout) {
        return RedisCluster.start(masters, replicasPerMaster, nodeTimeout);
    }

    /** A redis-server process with TLS on {@link TlsRedisServer#tlsPort()}, its certificate from {@code certificates}. */
    public static TlsRedisServer startTls(TestCertificates certificates) {
        return TlsRedisServer.start(certificates);
    }

    /** True when Testcontainers finds a working Docker (asked once per JVM). */
    public static boolean dockerAvailable() {
        Boolean d = docker;
        if (d == null) {
            try {
                d = DockerClientFactory.instance().isDockerAvailable();
            } catch (Throwable e) {
                d = false;
            }
            docker = d;
        }
        return d;
    }

    private static boolean useContainers() {
        String forced = System.getProperty("test.redis.backend", "").toLowerCase(Locale.ROOT);
        if (forced.equals("process")) {
            return false;
        }
        if (forced.equals("container")) {
            return true;
        }
        if (dockerAvailable()) {
            return true;
        }
        if (!ProcessRedisNode.supported()) {
            throw new IllegalStateException("no Docker and no redis-server binary for "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        }
        return false;
    }

    static void track(RedisNode node) {
        LIVE.add(node);
    }

    static void forget(RedisNode node) {
        LIVE.remove(node);
    }

    private static void stopAll() {
        for (RedisNode node : LIVE) {
            try {
                node.kill();
            } catch (RuntimeException ex) {
                log.debug("could not stop test redis {}", node.port(), ex);
            }
        }
    }
}
