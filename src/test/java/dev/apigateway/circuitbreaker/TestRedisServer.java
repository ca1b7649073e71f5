package dev.apigateway.circuitbreaker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A real redis-server process on loopback for the breaker's tests: the Linux binary shipped inside the
 * embedded-redis test jar, run without persistence. Stand-in until the shared {@code dev.apigateway.testsupport}
 * helper is merged.
 */
final class TestRedisServer implements AutoCloseable {

    private static final String BINARY = "redis-server-6.2.6-v5-linux-amd64";
    private static Path binary;

    private final int port;
    private volatile Process process;

    private TestRedisServer(int port) {
        this.port = port;
    }

    static TestRedisServer start() throws IOException {
        TestRedisServer server = new TestRedisServer(freePort());
        // no orphan redis-server if a test's teardown never runs
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process p = server.process;
            if (p != null) {
                p.destroyForcibly();
            }
        }));
        server.startProcess();
        return server;
    }

    int port() {
        return port;
    }

    /** Starts (again) on the same port, with empty data. */
    void startProcess() throws IOException {
        process = new ProcessBuilder(binary().toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                if ("+PONG".equals(command("PING").trim())) {
                    return;
                }
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IOException("redis-server did not start on port " + port, notYet);
                }
                sleepBriefly();
            }
        }
    }

    /** Kills the server (its data is gone). */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** A separate Lettuce connection factory: one gateway instance's connection. */
    LettuceConnectionFactory connectionFactory(Duration commandTimeout) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1", port),
                LettuceClientConfiguration.builder().commandTimeout(commandTimeout).build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    /** Calls per command since start, from {@code INFO commandstats}. */
    Map<String, Long> commandCalls() throws IOException {
        Map<String, Long> calls = new HashMap<>();
        for (String line : command("INFO", "commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String rest = line.substring(line.indexOf("calls=") + "calls=".length());
                calls.put(name, Long.parseLong(rest.substring(0, rest.indexOf(','))));
            }
        }
        return calls;
    }

    long subscribers(String channel) throws IOException {
        String reply = command("PUBSUB", "NUMSUB", channel);
        String[] lines = reply.split("\r\n");
        return Long.parseLong(lines[lines.length - 1].substring(1));
    }

    void flushAll() throws IOException {
        command("FLUSHALL");
    }

    /** One command over a fresh socket; returns the raw reply (simple replies are enough here). */
    String command(String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(2000);
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                        .append(arg).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            StringBuilder reply = new StringBuilder();
            readReply(socket.getInputStream(), reply);
            return reply.toString();
        }
    }

    /** Reads one RESP reply; elements and bulk strings are appended line by line. */
    private static void readReply(InputStream in, StringBuilder reply) throws IOException {
        String line = readLine(in);
        switch (line.charAt(0)) {
            case '$' -> {
                int length = Integer.parseInt(line.substring(1));
                if (length >= 0) {
                    reply.append(new String(in.readNBytes(length), StandardCharsets.UTF_8)).append("\r\n");
                    readLine(in);
                }
            }
            case '*' -> {
                int count = Integer.parseInt(line.substring(1));
                for (int i = 0; i < count; i++) {
                    readReply(in, reply);
                }
            }
            default -> reply.append(line).append("\r\n");
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            line.append((char) c);
        }
        in.read(); // \n
        return line.toString();
    }

    private static synchronized Path binary() throws IOException {
        if (binary == null) {
            Path file = Files.createTempFile("redis-server-", "");
            try (InputStream in = TestRedisServer.class.getResourceAsStream("/" + BINARY)) {
                if (in == null) {
                    throw new IOException(BINARY + " not on the test classpath (embedded-redis jar)");
                }
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            if (!file.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + file + " executable");
            }
            file.toFile().deleteOnExit();
            binary = file;
        }
        return binary;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
