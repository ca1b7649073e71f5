package dev.apigateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.deploy.MonitoringQueries;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Prometheus;
import dev.apigateway.support.RawHttp;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import dev.apigateway.upstream.UpstreamService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Proof that the monitoring is real: one whole gateway on a real Redis, in front of the real upstream, driven
 * through every outcome (2xx, 429, 503 circuit open, 504, 502, store fallback). After each, the scrape of
 * {@code /actuator/prometheus} shows the counters moved by what the traffic implies, and the JSON log has the
 * contract's event with its fields. At the end every metric that a Grafana panel or an alert rule of
 * {@code monitoring/} names must be among the exported samples: a query of a metric that does not exist fails the
 * build.
 *
 * <p>Each step is its own client (its own loopback source address), so the buckets of one do not limit another.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(OutputCaptureExtension.class)
class MonitoringContractTest {

    private static final int CAPACITY = 5;
    private static final String ROUTE = "route=\"proxy\"";
    /**
     * gateway_requests_total and gateway_upstream_duration_seconds are summed over their route label here: the
     * consumer tags them route="unknown" (see {@link #requestAndUpstreamMetricsCarryTheRouteId}).
     */
    private static final String ANY_ROUTE = "route=";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RedisNode redis;
    private static UpstreamService upstream;
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        redis = RedisServers.start();
        upstream = GatewayTestUpstream.get();
        gateway = GatewayInstance.start(
                "spring.data.redis.host=" + redis.host(),
                "spring.data.redis.port=" + redis.port(),
                "gateway.state-store=redis",
                // generous for a loaded machine: a healthy store must not turn into a fallback decision
                "gateway.store-timeout=1s",
                "gateway.upstream-url=" + upstream.baseUrl(),
                "gateway.upstream-timeout=1",
                "gateway.rate-limit.capacity=" + CAPACITY,
                "gateway.rate-limit.refill-rate=1",
                "gateway.rate-limit.refill-period=3600",
                "gateway.circuit-breaker.failure-threshold=2",
                "gateway.circuit-breaker.reset-timeout=1",
                // the event loggers at their production level (GatewayInstance quiets dev.apigateway)
                "logging.level.dev.apigateway.events=INFO",
                "logging.level.dev.apigateway.circuitbreaker=INFO",
                "logging.level.dev.apigateway.store=INFO");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(1)
    void successesAndThreeRejectionsMoveRequestRejectionAndCamelCounters(CapturedOutput output) throws Exception {
        String before = scrape();
        for (int i = 0; i < CAPACITY; i++) {
            assertThat(get("127.0.0.11", "/proxy/ok", "mc-ok-" + i).status()).isEqualTo(200);
        }
        for (int i = 0; i < 3; i++) {
            RawHttp.Response rejected = get("127.0.0.11", "/proxy/ok", "mc-429-" + i);
            assertThat(rejected.status()).isEqualTo(429);
            assertThat(rejected.header("Retry-After")).isNotBlank();
        }
        String after = scrapeAfter(before, CAPACITY + 3);

        assertThat(delta(before, after, "gateway_requests_total", ANY_ROUTE, "status=\"200\"")).isEqualTo(CAPACITY);
        assertThat(delta(before, after, "gateway_requests_total", ANY_ROUTE, "status=\"429\"")).isEqualTo(3);
        assertThat(delta(before, after, "gateway_rate_limit_rejected_total", ROUTE)).isEqualTo(3);
        assertThat(delta(before, after, "gateway_rate_limit_decisions_total", ROUTE, "outcome=\"allowed\""))
                .isEqualTo(CAPACITY);
        assertThat(delta(before, after, "gateway_rate_limit_decisions_total", ROUTE, "outcome=\"limited\""))
                .isEqualTo(3);
        // only requests that reached the upstream are timed
        assertThat(delta(before, after, "gateway_upstream_duration_seconds_count", ANY_ROUTE)).isEqualTo(CAPACITY);
        assertThat(delta(before, after, "gateway_upstream_duration_seconds_bucket", ANY_ROUTE, "le=\"+Inf\""))
                .isEqualTo(CAPACITY);
        // Camel's own route metrics see every exchange of the route, the refused ones too
        assertThat(delta(before, after, "camel_exchanges_total", "routeId=\"proxy\"")).isEqualTo(CAPACITY + 3);
        assertThat(delta(before, after, "camel_route_policy_seconds_count", "routeId=\"proxy\""))
                .isEqualTo(CAPACITY + 3);

        JsonNode event = event(output, "rate_limit_exceeded", "mc-429-");
        assertThat(event.path("route").asText()).isEqualTo("proxy");
        assertThat(event.path("client_ip").asText()).isEqualTo("127.0.0.11");
        assertThat(event.path("retry_after").asText()).isNotBlank();
        assertThat(event.path("log.level").asText(event.path("log").path("level").asText())).isEqualTo("WARN");
    }

    @Test
    @Order(2)
    void upstreamTimeoutAndUnreachableAre504And502WithTheirEvents(CapturedOutput output) throws Exception {
        String before = scrape();
        assertThat(get("127.0.0.12", "/proxy/delay/2500", "mc-504").status()).isEqualTo(504);
        assertThat(get("127.0.0.12", "/proxy/ok", "mc-504-ok").status()).isEqualTo(200); // resets the breaker count
        assertThat(get("127.0.0.12", "/proxy/close", "mc-502").status()).isEqualTo(502);
        assertThat(get("127.0.0.12", "/proxy/ok", "mc-502-ok").status()).isEqualTo(200);
        String after = scrapeAfter(before, 4);

        assertThat(delta(before, after, "gateway_requests_total", ANY_ROUTE, "status=\"504\"")).isEqualTo(1);
        assertThat(delta(before, after, "gateway_requests_total", ANY_ROUTE, "status=\"502\"")).isEqualTo(1);
        assertThat(delta(before, after, "gateway_requests_total", ANY_ROUTE, "status=\"200\"")).isEqualTo(2);
        assertThat(delta(before, after, "gateway_requests_total", ANY_ROUTE)).isEqualTo(4);
        assertThat(delta(before, after, "gateway_upstream_duration_seconds_count", ANY_ROUTE)).isEqualTo(4);
        // the timed-out call took the upstream timeout (1 s): it is in no bucket below 1 s
        assertThat(delta(before, after, "gateway_upstream_duration_seconds_bucket", ANY_ROUTE, "le=\"0.5\""))
                .isLessThanOrEqualTo(3);
        assertThat(delta(before, after, "gateway_upstream_duration_seconds_sum", ANY_ROUTE)).isGreaterThanOrEqualTo(0.9);
        assertThat(delta(before, after, "camel_exchanges_total", "routeId=\"proxy\"")).isEqualTo(4);

        JsonNode timeout = event(output, "upstream_timeout", "mc-504");
        assertThat(timeout.path("route").asText()).isEqualTo("proxy");
        assertThat(timeout.path("client_ip").asText()).isEqualTo("127.0.0.12");
        JsonNode unreachable = event(output, "upstream_unreachable", "mc-502");
        assertThat(unreachable.path("route").asText()).isEqualTo("proxy");
        assertThat(unreachable.path("client_ip").asText()).isEqualTo("127.0.0.12");
    }

    @Test
    @Order(3)
    void breakerOpensAnswers503AndItsTransitionsAreCountedAndLogged(CapturedOutput output) throws Exception {
        String before = scrape();
        assertThat(get("127.0.0.13", "/proxy/status/500", "mc-500-1").status()).isEqualTo(500);
        assertThat(get("127.0.0.13", "/proxy/status/500", "mc-500-2").status()).isEqualTo(500);
        RawHttp.Response open = get("127.0.0.13", "/proxy/ok", "mc-503");
        assertThat(open.status()).isEqualTo(503);
        assertThat(open.bodyText()).contains("circuit_open");
        String opened = scrapeAfter(before, 3);

        assertThat(delta(before, opened, "gateway_requests_total", ANY_ROUTE, "status=\"500\"")).isEqualTo(2);
        assertThat(delta(before, opened, "gateway_requests_total", ANY_ROUTE, "status=\"503\"")).isEqualTo(1);
        assertThat(delta(before, opened, "gateway_circuit_breaker_transitions_total", ROUTE,
                "from=\"closed\"", "to=\"open\"")).isEqualTo(1);
        assertThat(Prometheus.value(opened, "gateway_circuit_breaker_state", ROUTE, "state=\"open\"")).isEqualTo(1);
        assertThat(Prometheus.value(opened, "gateway_circuit_breaker_state", ROUTE, "state=\"closed\"")).isZero();
        // the refused request never reached the upstream
        assertThat(delta(before, opened, "gateway_upstream_duration_seconds_count", ANY_ROUTE)).isEqualTo(2);

        JsonNode transition = event(output, "circuit_breaker_transition", "mc-500-2");
        assertThat(transition.path("route").asText()).isEqualTo("proxy");
        assertThat(transition.path("client_ip").asText()).isEqualTo("127.0.0.13");
        assertThat(transition.path("from").asText()).isEqualTo("closed");
        assertThat(transition.path("to").asText()).isEqualTo("open");

        // after the reset timeout (1 s) one probe goes through; its success closes the breaker
        int status = 503;
        int polls = 0;
        while (polls < 40 && status == 503) {
            Thread.sleep(250);
            polls++;
            status = get("127.0.1." + polls, "/proxy/ok", "mc-probe-" + polls).status();
        }
        assertThat(status).isEqualTo(200);
        String closed = scrapeAfter(opened, polls);
        assertThat(delta(opened, closed, "gateway_circuit_breaker_transitions_total", ROUTE,
                "from=\"open\"", "to=\"half_open\"")).isEqualTo(1);
        assertThat(delta(opened, closed, "gateway_circuit_breaker_transitions_total", ROUTE,
                "from=\"half_open\"", "to=\"closed\"")).isEqualTo(1);
        assertThat(Prometheus.value(closed, "gateway_circuit_breaker_state", ROUTE, "state=\"closed\"")).isEqualTo(1);
    }

    @Test
    @Order(4)
    void killedRedisCountsStoreErrorsAndFallbackDecisionsAndTheStoreComesBack(CapturedOutput output)
            throws Exception {
        String before = scrape();
        assertThat(Prometheus.value(before, "gateway_store_available")).isEqualTo(1);
        redis.kill();
        for (int i = 0; i < 4; i++) {
            // fail mode local: this single instance keeps limiting with the whole capacity
            assertThat(get("127.0.0.14", "/proxy/ok", "mc-store-" + i).status()).isEqualTo(200);
        }
        String during = scrapeAfter(before, 4);
        assertThat(delta(before, during, "gateway_store_errors_total")).isGreaterThan(0);
        assertThat(delta(before, during, "gateway_rate_limit_decisions_total", ROUTE, "outcome=\"fallback_allowed\""))
                .isEqualTo(4);
        assertThat(delta(before, during, "gateway_requests_total", ANY_ROUTE, "status=\"200\"")).isEqualTo(4);
        assertThat(Prometheus.value(during, "gateway_store_available")).isZero();

        List<JsonNode> storeEvents = events(output, "store_unavailable");
        assertThat(storeEvents).as("store_unavailable logged, rate-limited: not one line per request")
                .isNotEmpty().hasSizeLessThan(4);
        for (JsonNode e : storeEvents) {
            if (e.hasNonNull("request_id")) {
                // caused by a request: it names the request, its route and its client
                assertThat(e.path("request_id").asText()).startsWith("mc-store-");
                assertThat(e.path("route").asText()).isEqualTo("proxy");
                assertThat(e.path("client_ip").asText()).isEqualTo("127.0.0.14");
            }
        }

        redis.restart();
        awaitValue(() -> value("gateway_store_available"), 1);
        assertThat(get("127.0.0.15", "/proxy/ok", "mc-store-back").status()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void everyMetricNamedByADashboardPanelOrAlertRuleIsExported(CapturedOutput output) throws Exception {
        // no log line was refused by the JSON encoder along the way (a field named twice loses the whole line)
        assertThat(output.getAll()).doesNotContain("failed to append", "Duplicate nested pairs");

        String scrape = scrape();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/monitoring-contract-scrape.txt"), scrape);
        Set<String> exported = sampleNames(scrape);
        // a real histogram (buckets for p50/p95/p99 in PromQL), not a summary with client-side quantiles
        assertThat(scrape).contains("# TYPE gateway_upstream_duration_seconds histogram");
        Set<String> queried = MonitoringQueries.metricNames();
        assertThat(queried).as("metric names in monitoring/").isNotEmpty();
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertThat(missing)
                .as("metrics named by monitoring/alerts.yml or the Grafana dashboard but not exported "
                        + "(the whole scrape is in target/monitoring-contract-scrape.txt)")
                .isEmpty();

        // and a label matcher must select something: state="OPEN" on a gauge tagged state="open" never fires
        List<String> unmatched = new ArrayList<>();
        for (String expr : MonitoringQueries.expressions()) {
            Matcher selector = SELECTOR.matcher(expr);
            while (selector.find()) {
                String name = selector.group(1);
                if (!queried.contains(name)) {
                    continue; // Prometheus's or redis_exporter's
                }
                Matcher matcher = LABEL_MATCHER.matcher(selector.group(2));
                while (matcher.find()) {
                    String label = matcher.group(1);
                    String op = matcher.group(2);
                    String value = matcher.group(3);
                    if (TARGET_LABELS.contains(label) || value.contains("$") || op.startsWith("!")) {
                        continue;
                    }
                    if (!anySample(scrape, name, label, op, value)) {
                        unmatched.add(name + "{" + label + op + "\"" + value + "\"} in: " + expr);
                    }
                }
            }
        }
        assertThat(unmatched).as("label matchers of monitoring/ that select no exported sample").isEmpty();
    }

    @Test
    @Order(6)
    void requestAndUpstreamMetricsCarryTheRouteId() throws Exception {
        String scrape = scrape();
        assertThat(Prometheus.value(scrape, "gateway_requests_total", ROUTE)).isPositive();
        assertThat(Prometheus.value(scrape, "gateway_upstream_duration_seconds_count", ROUTE)).isPositive();
        assertThat(Prometheus.value(scrape, "gateway_requests_total", "route=\"unknown\"")).isZero();
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern LABEL_MATCHER =
            Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SAMPLE_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** Labels Prometheus puts on every sample of a target; not in the gateway's own exposition. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    /** Whether a sample of {@code name} has {@code label} equal to (=) or fully matching (=~) {@code value}. */
    private static boolean anySample(String scrape, String name, String label, String op, String value) {
        Pattern regex = op.equals("=~") ? Pattern.compile(value) : null;
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            Matcher sampleLabel = SAMPLE_LABEL.matcher(line.substring(name.length(), line.lastIndexOf('}') + 1));
            while (sampleLabel.find()) {
                if (sampleLabel.group(1).equals(label)) {
                    String actual = sampleLabel.group(2);
                    if (regex != null ? regex.matcher(actual).matches() : actual.equals(value)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static RawHttp.Response get(String from, String path, String requestId) throws Exception {
        return RawHttp.exchangeFrom(from, gateway.port(), "GET " + path + " HTTP/1.1\nHost: gateway.test\n"
                + "X-Request-Id: " + requestId + "\nConnection: close", null);
    }

    private static String scrape() throws Exception {
        return Prometheus.scrape(gateway.managementPort());
    }

    /**
     * A scrape once {@code requests} more requests than in {@code before} are counted: the consumer counts a
     * request after its answer is written, so a client can read the answer a moment before the count moves.
     */
    private static String scrapeAfter(String before, int requests) throws Exception {
        double expected = Prometheus.value(before, "gateway_requests_total") + requests;
        long deadline = System.nanoTime() + 10_000_000_000L;
        String scrape = scrape();
        while (Prometheus.value(scrape, "gateway_requests_total") < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            scrape = scrape();
        }
        return scrape;
    }

    private static double value(String name, String... labels) throws Exception {
        return Prometheus.value(scrape(), name, labels);
    }

    private static double delta(String before, String after, String name, String... labels) {
        return Prometheus.value(after, name, labels) - Prometheus.value(before, name, labels);
    }

    private static void awaitValue(ThrowingDoubleSupplier value, double expected) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        double last = value.get();
        while (last != expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = value.get();
        }
        assertThat(last).isEqualTo(expected);
    }

    private interface ThrowingDoubleSupplier {
        double get() throws Exception;
    }

    /** The names on the sample lines of a scrape (a histogram's _bucket, _sum, _count included). */
    static Set<String> sampleNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = line.indexOf('{');
            if (end < 0) {
                end = line.indexOf(' ');
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /** The JSON log lines (one object a line) with the given {@code event}. */
    static List<JsonNode> events(CapturedOutput output, String event) {
        List<JsonNode> found = new ArrayList<>();
        for (String line : output.getOut().split("\\R")) {
            if (!line.startsWith("{") || !line.contains(event)) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line);
                if (event.equals(node.path("event").asText())) {
                    found.add(node);
                }
            } catch (Exception notJson) {
                // a line of something else that starts with a brace
            }
        }
        return found;
    }

    /** The one event line of a request whose id starts with {@code requestIdPrefix}; it must carry the id. */
    static JsonNode event(CapturedOutput output, String event, String requestIdPrefix) {
        List<JsonNode> lines = events(output, event).stream()
                .filter(e -> e.path("request_id").asText().startsWith(requestIdPrefix)).toList();
        assertThat(lines).as(event + " with request_id " + requestIdPrefix + "* in the JSON log:\n"
                + events(output, event)).isNotEmpty();
        return lines.get(0);
    }
}
