package dev.apigateway.support;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus server (the {@code prometheus} binary on PATH) on a free loopback port, scraping the given
 * targets as job {@code api-gateway} with the given rule files, and its HTTP API.
 */
public final class PrometheusServer implements AutoCloseable {

    public static final String JOB = "api-gateway";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private PrometheusServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * @param dir      where its config, data and log go
     * @param targets  {@code host:port} of each gateway's {@code /actuator/prometheus}
     * @param rules    rule file to evaluate
     * @param scrape   scrape interval (and timeout)
     * @param evaluate rule evaluation interval
     */
    public static PrometheusServer start(Path dir, List<String> targets, Path rules, Duration scrape,
                                         Duration evaluate) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n"
                + "  scrape_interval: " + scrape.toMillis() + "ms\n"
                + "  scrape_timeout: " + scrape.toMillis() + "ms\n"
                + "  evaluation_interval: " + evaluate.toMillis() + "ms\n"
                + "rule_files: [\"" + rules.toAbsolutePath() + "\"]\n"
                + "scrape_configs:\n"
                + "  - job_name: " + JOB + "\n"
                + "    metrics_path: /actuator/prometheus\n"
                + "    static_configs:\n"
                + "      - targets: [" + targets.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "))
                + "]\n");
        int port = freePort();
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder("prometheus",
                "--config.file=" + config.toAbsolutePath(),
                "--storage.tsdb.path=" + dir.resolve("data").toAbsolutePath(),
                "--storage.tsdb.retention.time=1h",
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, port, log);
        try {
            await("Prometheus ready on port " + port).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !process.isAlive() || server.ready());
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited: " + Files.readString(log));
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The instant query's result vector (the {@code data.result} array). */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        return api("/api/v1/query", Map.of("query", promql)).path("result");
    }

    /** The range query's result matrix: one entry a series, each with its {@code values}. */
    public JsonNode queryRange(String promql, Instant start, Instant end, Duration step)
            throws IOException, InterruptedException {
        return api("/api/v1/query_range", Map.of("query", promql, "start", seconds(start), "end", seconds(end),
                "step", Long.toString(Math.max(1, step.toSeconds())))).path("result");
    }

    /** The values of a label on the series {@code selector} selects since {@code start} (Grafana's label_values). */
    public List<String> labelValues(String label, String selector, Instant start) throws IOException, InterruptedException {
        JsonNode data = api("/api/v1/label/" + label + "/values",
                Map.of("match[]", selector, "start", seconds(start), "end", seconds(Instant.now())));
        List<String> values = new ArrayList<>();
        data.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** Every alert Prometheus holds now, pending or firing, with its labels. */
    public JsonNode alerts() throws IOException, InterruptedException {
        return api("/api/v1/alerts", Map.of()).path("alerts");
    }

    /** True when an alert of that name is firing and has every given label. */
    public boolean firing(String alertname, Map<String, String> labels) throws IOException, InterruptedException {
        for (JsonNode alert : alerts()) {
            JsonNode l = alert.path("labels");
            boolean matches = alertname.equals(l.path("alertname").asText())
                    && "firing".equals(alert.path("state").asText())
                    && labels.entrySet().stream().allMatch(e -> e.getValue().equals(l.path(e.getKey()).asText()));
            if (matches) {
                return true;
            }
        }
        return false;
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/-/ready")).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private JsonNode api(String path, Map<String, String> params) throws IOException, InterruptedException {
        String query = params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base() + path
                + (query.isEmpty() ? "" : "?" + query))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IllegalStateException(path + " " + params + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return body.path("data");
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private static String seconds(Instant t) {
        return String.format(java.util.Locale.ROOT, "%.3f", t.toEpochMilli() / 1000.0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
