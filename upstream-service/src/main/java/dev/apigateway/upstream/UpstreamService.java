package dev.apigateway.upstream;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP upstream built on the JDK's {@code com.sun.net.httpserver}, used to demo and test the gateway.
 *
 * <p>Embedded use (tests):
 * <pre>{@code
 * try (UpstreamService upstream = UpstreamService.start(0)) {
 *     String url = upstream.baseUrl() + "/echo";
 *     ...
 *     assertThat(upstream.hits("/echo")).isEqualTo(1);
 *     RecordedRequest last = upstream.requests().get(upstream.requests().size() - 1);
 * }
 * }</pre>
 *
 * <p>Standalone: {@code java -jar upstream-service.jar [port]}; the port comes from the first argument,
 * else {@code PORT}, else 5001; the address from {@code BIND_ADDRESS} (default {@code 0.0.0.0});
 * the worker count from {@code THREADS} (default 64).
 *
 * <p>Thread-safe. Requests are handled on a bounded pool; when its queue is full the JDK server
 * closes the new connection.
 */
public final class UpstreamService implements AutoCloseable {

    public static final int DEFAULT_PORT = 5001;
    public static final int DEFAULT_THREADS = 64;
    private static final int QUEUE_CAPACITY = 1024;
    private static final int BACKLOG = 1024;

    static {
        // The JDK server flushes the response head and then writes the body as a second segment; with
        // Nagle on, that second segment waits for the client's delayed ACK (~40 ms per keep-alive request).
        // The property is read once, when the JDK server's config class loads; an explicit setting wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final RequestRecorder recorder;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UpstreamService(HttpServer server, ThreadPoolExecutor executor, RequestRecorder recorder) {
        this.server = server;
        this.executor = executor;
        this.recorder = recorder;
    }

    /** Starts on 127.0.0.1; {@code port} 0 picks a free port. */
    public static UpstreamService start(int port) {
        return start(InetAddress.getLoopbackAddress().getHostAddress(), port, DEFAULT_THREADS);
    }

    /** Starts on the given address and port (0 = free port) with {@code threads} workers. */
    public static UpstreamService start(String bindAddress, int port, int threads) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        RequestRecorder recorder = new RequestRecorder();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(
                threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE_CAPACITY), daemonThreads(),
                new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), BACKLOG);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot listen on " + bindAddress + ":" + port, e);
        }
        server.createContext("/", new UpstreamHandler(recorder));
        server.setExecutor(executor);
        server.start();
        return new UpstreamService(server, executor, recorder);
    }

    /** The port actually listened on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:port}, no trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Requests received since start or the last {@link #reset()}. */
    public long hits() {
        return recorder.hits();
    }

    /**
     * Requests whose raw (still encoded) path starts with {@code rawPathPrefix}, since start or the last
     * {@link #reset()}. Exact while fewer than 10,000 distinct paths were seen; requests to further new
     * paths only count in {@link #hits()}.
     */
    public long hits(String rawPathPrefix) {
        return recorder.hits(rawPathPrefix);
    }

    /** The most recent requests (at most 1,000), oldest first, most recent last. An immutable snapshot. */
    public List<RecordedRequest> requests() {
        return recorder.requests();
    }

    /** The most recent request, if any. */
    public Optional<RecordedRequest> lastRequest() {
        return Optional.ofNullable(recorder.last());
    }

    /** Forgets every recorded request and count. */
    public void reset() {
        recorder.reset();
    }

    /** Stops listening, drops open connections and interrupts requests in progress (e.g. /delay). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "upstream-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public static void main(String[] args) throws InterruptedException {
        int port = DEFAULT_PORT;
        String portText = args.length > 0 ? args[0] : System.getenv("PORT");
        if (portText != null && !portText.isBlank()) {
            try {
                port = Integer.parseInt(portText.trim());
            } catch (NumberFormatException e) {
                System.err.println("upstream-service: port must be a number, got '" + portText + "'");
                System.exit(2);
            }
        }
        String bind = System.getenv().getOrDefault("BIND_ADDRESS", "0.0.0.0");
        int threads = DEFAULT_THREADS;
        String threadsText = System.getenv("THREADS");
        if (threadsText != null && !threadsText.isBlank()) {
            try {
                threads = Integer.parseInt(threadsText.trim());
            } catch (NumberFormatException e) {
                System.err.println("upstream-service: THREADS must be a number, got '" + threadsText + "'");
                System.exit(2);
            }
        }
        UpstreamService service;
        try {
            service = start(bind, port, threads);
        } catch (RuntimeException e) {
            System.err.println("upstream-service: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "upstream-shutdown"));
        System.out.println("upstream-service listening on http://" + bind + ":" + service.port()
                + " (" + threads + " threads)");
        Thread.currentThread().join(); // the server's dispatcher thread keeps serving; wait for a signal
    }
}
