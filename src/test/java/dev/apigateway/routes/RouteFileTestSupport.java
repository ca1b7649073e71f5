package dev.apigateway.routes;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Route files on disk, the log lines about them, and polling with a deadline. */
public final class RouteFileTestSupport {

    static final Duration RELOAD_DEADLINE = Duration.ofSeconds(5);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private RouteFileTestSupport() {
    }

    /** A fresh routes folder for a test class's gateway. */
    public static Path newRoutesDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static String templated(String id, String path, String upstream, String... extra) {
        StringBuilder yaml = new StringBuilder("- templatedRoute:\n"
                + "    routeTemplateRef: gateway-route\n"
                + "    routeId: " + id + "\n"
                + "    parameters:\n"
                + "      - name: path\n        value: " + path + "\n"
                + "      - name: upstreamUrl\n        value: " + upstream + "\n");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            yaml.append("      - name: ").append(extra[i]).append("\n        value: \"").append(extra[i + 1])
                    .append("\"\n");
        }
        return yaml.toString();
    }

    /** Written beside, then moved into place, as a deploy tool would. */
    public static void write(Path dir, String name, String content) throws IOException {
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static HttpResponse<String> call(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls until the answer satisfies the condition, failing after the deadline with the last answer. */
    static HttpResponse<String> await(int port, String path, Predicate<HttpResponse<String>> condition,
                                      String... headers) throws Exception {
        long deadline = System.nanoTime() + RELOAD_DEADLINE.toNanos();
        HttpResponse<String> last;
        do {
            last = call(port, path, headers);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("GET " + path + " still answered " + last.statusCode() + " " + last.body()
                + " " + last.headers().map() + " after " + RELOAD_DEADLINE);
    }

    static Predicate<HttpResponse<String>> status(int status) {
        return r -> r.statusCode() == status;
    }

    /** Captures the log lines of the route-file loader. */
    static final class LogLines implements AutoCloseable, org.junit.jupiter.api.extension.BeforeEachCallback,
            org.junit.jupiter.api.extension.AfterEachCallback {
        private final Logger logger = (Logger) LoggerFactory.getLogger(RouteFiles.class);
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        LogLines() {
            appender.start();
        }

        @Override
        public void beforeEach(org.junit.jupiter.api.extension.ExtensionContext context) {
            clear();
            logger.addAppender(appender);
        }

        @Override
        public void afterEach(org.junit.jupiter.api.extension.ExtensionContext context) {
            close();
        }

        List<Map<String, String>> events(String event) {
            synchronized (appender.list) {
                return appender.list.stream().map(LogLines::keyValues)
                        .filter(kv -> event.equals(kv.get("event"))).toList();
            }
        }

        /** Waits for the event about the file and returns its key-values. */
        Map<String, String> await(String event, String file) throws InterruptedException {
            long deadline = System.nanoTime() + RELOAD_DEADLINE.toNanos();
            while (System.nanoTime() < deadline) {
                for (Map<String, String> kv : events(event)) {
                    if (file.equals(kv.get("file"))) {
                        return kv;
                    }
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no " + event + " for " + file + " in " + RELOAD_DEADLINE + ": "
                    + events(event));
        }

        void clear() {
            synchronized (appender.list) {
                appender.list.clear();
            }
        }

        private static Map<String, String> keyValues(ILoggingEvent e) {
            List<KeyValuePair> pairs = e.getKeyValuePairs();
            return pairs == null ? Map.of() : pairs.stream()
                    .collect(Collectors.toMap(p -> p.key, p -> String.valueOf(p.value), (a, b) -> b));
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
        }
    }
}
