package dev.apigateway.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server process from the binary shipped in {@code com.github.codemonstur:embedded-redis}
 * (Redis 6.2), extracted once per JVM and run with {@code --port N --bind 127.0.0.1 --save ""
 * --appendonly no}. Extra arguments (e.g. {@code --cluster-enabled yes}) make cluster nodes.
 */
final class ProcessRedisNode implements RedisNode {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static Path binary;

    private final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private Process process;

    private ProcessRedisNode(int port, Path dir, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts a node on a free port (another one if the port was taken meanwhile). */
    static ProcessRedisNode start(List<String> extraArgs, boolean clusterBusPort) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort(clusterBusPort);
            ProcessRedisNode node;
            try {
                node = new ProcessRedisNode(port, Files.createTempDirectory("test-redis-" + port + "-"), extraArgs);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                node.launch();
                return node;
            } catch (IllegalStateException e) {
                last = e;
                node.close();
            }
        }
        throw last;
    }

    /** True when this machine can run the shipped binary. */
    static boolean supported() {
        return binaryResource() != null;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized boolean isRunning() {
        if (process == null || !process.isAlive()) {
            return false;
        }
        return answersPing();
    }

    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        try {
            Resp.once(host(), port, "SHUTDOWN", "NOSAVE");
        } catch (IOException | RuntimeException expected) {
            // the server closes the connection without a reply
        }
        awaitExit(process, Duration.ofSeconds(5));
        process = null;
    }

    @Override
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit(process, Duration.ofSeconds(5));
        process = null;
    }

    @Override
    public synchronized void restart() {
        kill();
        IllegalStateException last = null;
        // the port is ours; a just-killed listener may need a moment to release it
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                launch();
                return;
            } catch (IllegalStateException e) {
                last = e;
                sleep(100);
            }
        }
        throw last;
    }

    @Override
    public synchronized void close() {
        kill();
        RedisServers.forget(this);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files only
        }
    }

    /** The process's own output: why it did not start, say. */
    String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private synchronized void launch() {
        List<String> cmd = new ArrayList<>(List.of(binary().toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--dir", dir.toString(),
                "--logfile", dir.resolve("redis.log").toString()));
        cmd.addAll(extraArgs);
        try {
            Files.deleteIfExists(dir.resolve("redis.log"));
            // a cluster node must come back as a fresh node too
            try (var confs = Files.list(dir)) {
                for (Path p : (Iterable<Path>) confs::iterator) {
                    if (p.getFileName().toString().startsWith("nodes-")) {
                        Files.delete(p);
                    }
                }
            }
            process = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + cmd, e);
        }
        RedisServers.track(this);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                process = null;
                throw new IllegalStateException("redis-server on port " + port + " exited: " + log());
            }
            try {
                if ("PONG".equals(Resp.once(host(), port, "PING"))) {
                    return;
                }
            } catch (IOException | RuntimeException notYet) {
                // starting
            }
            sleep(20);
        }
        process.destroyForcibly();
        process = null;
        throw new IllegalStateException("redis-server on port " + port + " did not answer within " + START_TIMEOUT);
    }

    /** The extracted redis-server binary (also runs a Sentinel: {@code redis-server sentinel.conf --sentinel}). */
    static Path binaryPath() {
        return binary();
    }

    private static synchronized Path binary() {
        if (binary != null) {
            return binary;
        }
        String resource = binaryResource();
        if (resource == null) {
            throw new IllegalStateException("no redis-server binary in embedded-redis for "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        }
        try (InputStream in = ProcessRedisNode.class.getResourceAsStream(resource)) {
            Path dir = Files.createTempDirectory("redis-bin-");
            Path file = dir.resolve("redis-server");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            binary = file;
            return binary;
        } catch (IOException e) {
            throw new UncheckedIOException("could not extract " + resource, e);
        }
    }

    private static String binaryResource() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String name;
        if (os.contains("linux")) {
            name = arch.contains("aarch64") || arch.contains("arm64") ? "redis-server-6.2.7-linux-arm64"
                    : arch.contains("64") ? "redis-server-6.2.6-v5-linux-amd64" : "redis-server-6.2.7-linux-386";
        } else if (os.contains("mac")) {
            name = arch.contains("aarch64") || arch.contains("arm64") ? "redis-server-6.2.6-v5-darwin-arm64"
                    : "redis-server-6.2.6-v5-darwin-amd64";
        } else {
            return null;
        }
        String resource = "/" + name;
        return ProcessRedisNode.class.getResource(resource) != null ? resource : null;
    }

    /** A free loopback port; with {@code clusterBusPort} also port + 10000 (the cluster bus). */
    static int freePort(boolean clusterBusPort) {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (!clusterBusPort) {
                    return port;
                }
                if (port + 10000 <= 65535 && portFree(port + 10000)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free port found");
    }

    private static boolean portFree(int port) {
        try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitExit(Process p, Duration timeout) {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
