package dev.apigateway.observability;

import dev.apigateway.deploy.MonitoringQueries;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.PrometheusServer;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import dev.apigateway.upstream.UpstreamService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.yaml.snakeyaml.Yaml;

/**
 * What {@link MonitoringEndToEndTest} runs: one real Redis, the real upstream, three gateways on it (fail modes
 * local, open and closed) serving the route files {@code flaky} (a breaker that opens after 2 failures, probes after
 * 3 s) and {@code slow} (3 s upstream timeout), and a real Prometheus scraping their actuator every 2 s with a copy
 * of {@code monitoring/alerts.yml} whose {@code for:} is 2 s.
 */
final class MonitoringStack implements AutoCloseable {

    static final Duration SCRAPE = Duration.ofSeconds(2);
    static final Duration EVALUATE = Duration.ofSeconds(1);
    static final String SHORT_FOR = "2s";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    /** One step of a scenario that may throw. */
    interface Step {
        void run() throws Exception;
    }

    private Path dir;
    private Path routes;
    private RedisNode redis;
    private GatewayInstance local;
    private GatewayInstance open;
    private GatewayInstance closed;
    private PrometheusServer prometheus;
    private Instant started;

    void start() throws Exception {
        dir = Path.of("target", "monitoring-e2e-" + System.currentTimeMillis()).toAbsolutePath();
        routes = Files.createDirectories(dir.resolve("routes"));
        UpstreamService upstream = GatewayTestUpstream.get();
        Files.writeString(routes.resolve("flaky.yaml"), templated("flaky", upstream.baseUrl(),
                "circuitBreakerFailureThreshold", "2", "circuitBreakerResetTimeoutSeconds", "3",
                "rateLimitCapacity", "1000"));
        Files.writeString(routes.resolve("slow.yaml"), templated("slow", upstream.baseUrl(),
                "upstreamTimeoutSeconds", "3", "circuitBreakerFailureThreshold", "1000", "rateLimitCapacity", "1000"));
        redis = RedisServers.start();
        started = Instant.now();
        local = gateway("local", upstream);
        open = gateway("open", upstream);
        closed = gateway("closed", upstream);
        prometheus = PrometheusServer.start(dir.resolve("prometheus"),
                gateways().stream().map(this::target).toList(), shortRules(), SCRAPE, EVALUATE);
        await("every gateway scraped", () -> prometheus.query("count(up{job=\"api-gateway\"} == 1) == 3").size() == 1);
    }

    GatewayInstance local() {
        return local;
    }

    GatewayInstance open() {
        return open;
    }

    GatewayInstance closed() {
        return closed;
    }

    List<GatewayInstance> gateways() {
        return List.of(local, open, closed);
    }

    RedisNode redis() {
        return redis;
    }

    PrometheusServer prometheus() {
        return prometheus;
    }

    Path routesDir() {
        return routes;
    }

    Path dir() {
        return dir;
    }

    Instant started() {
        return started;
    }

    /** The gateway's {@code instance} label: where Prometheus scrapes it. */
    String target(GatewayInstance gateway) {
        return "127.0.0.1:" + gateway.managementPort();
    }

    void stopClosed() {
        closed.close();
    }

    /** Polls {@code condition} every half second until true, for at most 30 s; its exceptions fail at once. */
    void await(String what, Callable<Boolean> condition) {
        org.awaitility.Awaitility.await(what).atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(condition);
    }

    private GatewayInstance gateway(String failMode, UpstreamService upstream) {
        return GatewayInstance.start(
                "spring.data.redis.host=" + redis.host(),
                "spring.data.redis.port=" + redis.port(),
                "gateway.state-store=redis",
                "gateway.store-timeout=1s",
                "gateway.rate-limit.fail-mode=" + failMode,
                "gateway.upstream-url=" + upstream.baseUrl(),
                "gateway.upstream-timeout=3",
                "gateway.rate-limit.capacity=5",
                "gateway.rate-limit.refill-rate=1",
                "gateway.rate-limit.refill-period=3600",
                "gateway.routes-dir=" + routes,
                // where the scrape goes once the actuator has its own port; its address stays loopback
                "management.server.port=0");
    }

    /** alerts.yml as it is, but every {@code for:} {@value #SHORT_FOR}: the thresholds and windows unchanged. */
    @SuppressWarnings("unchecked")
    private Path shortRules() throws IOException {
        Yaml yaml = new Yaml();
        Map<String, Object> doc = yaml.load(Files.readString(Path.of(MonitoringQueries.ALERTS)));
        for (Object group : (List<Object>) doc.get("groups")) {
            for (Object rule : (List<Object>) ((Map<String, Object>) group).get("rules")) {
                ((Map<String, Object>) rule).put("for", SHORT_FOR);
            }
        }
        Path file = dir.resolve("alerts.yml");
        Files.writeString(file, yaml.dump(doc));
        return file;
    }

    private static String templated(String id, String upstream, String... parameters) {
        StringBuilder yaml = new StringBuilder("- templatedRoute:\n    routeTemplateRef: gateway-route\n"
                + "    routeId: " + id + "\n    parameters:\n"
                + "      - name: path\n        value: /" + id + "\n"
                + "      - name: upstreamUrl\n        value: " + upstream + "\n");
        for (int i = 0; i < parameters.length; i += 2) {
            yaml.append("      - name: ").append(parameters[i]).append("\n        value: \"")
                    .append(parameters[i + 1]).append("\"\n");
        }
        return yaml.toString();
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>();
        all.add(prometheus);
        all.addAll(java.util.Arrays.asList(local, open, closed));
        all.add(redis);
        for (AutoCloseable c : all) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // the others still get closed
                }
            }
        }
    }
}
