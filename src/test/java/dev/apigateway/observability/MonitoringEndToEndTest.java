package dev.apigateway.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.apigateway.deploy.MonitoringQueries;
import dev.apigateway.deploy.Tools;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.PrometheusServer;
import dev.apigateway.support.RawHttp;
import dev.apigateway.testsupport.RedisNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The monitoring of {@code monitoring/} against the real thing: a real Prometheus scrapes three real gateways (one
 * per fail mode) on a real Redis in front of the real upstream, evaluating a copy of {@code alerts.yml} whose
 * {@code for:} is shortened (thresholds and windows unchanged). One scenario per dashboard row; each alert must reach
 * {@code firing} in the scenario meant for it; at the end every panel query of the dashboard, with the dashboard's
 * own variables substituted, must return data. Skipped, saying so, where no {@code prometheus} binary is installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitoringEndToEndTest {

    /** Alerts no scenario here can fire, and why. */
    private static final Map<String, String> NOT_FIRED_HERE = Map.of(
            "RedisDown", "needs redis_exporter, which this test does not run: monitoring/alerts.test.yml proves it",
            "GatewayUpstreamTargetFailing", "needs a target ejected three times over minutes of growing ejections; "
                    + "monitoring/alerts.test.yml proves the rule, SeveralTargetsHttpTest the ejections counter");

    private static final MonitoringStack stack = new MonitoringStack();
    private static final Set<String> fired = new TreeSet<>();

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Tools.onPath("prometheus"), "prometheus is not on PATH (apt-get install prometheus): "
                + "the end-to-end monitoring test (every panel has data, every alert fires) is skipped");
        stack.start();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    @Order(1)
    void trafficRow_everyInstanceAnswers200() throws Exception {
        List<GatewayInstance> gateways = stack.gateways();
        for (int i = 0; i < gateways.size(); i++) {
            for (int n = 0; n < 3; n++) {
                assertThat(gateways.get(i).get("127.0.0." + (2 + i), "/proxy/ok").status()).isEqualTo(200);
            }
        }
    }

    @Test
    @Order(2)
    void rateLimitRow_a429StormFiresTheRejectionsAlert() throws Exception {
        // more than 5 rejections/s over the rule's 5-minute window: above 1500 in the window
        // one client (127.0.0.1) on four kept-alive connections: 1800 requests, 5 allowed
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.local().port() + "/proxy/ok"))
                .timeout(Duration.ofSeconds(15)).build();
        AtomicInteger rejected = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                done.add(clients.submit(() -> {
                    for (int n = 0; n < 450; n++) {
                        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 429) {
                            rejected.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
        // everything over the capacity, less the odd store call slower than the store timeout on a loaded machine
        // (fail mode local lets that one through): enough either way for the rule's 1500 in 5 minutes
        assertThat(rejected.get()).isBetween(1600, 4 * 450 - 5);
        awaitFiring("GatewayRateLimitRejectionsSpike", Map.of("route", "proxy"), null);
    }

    @Test
    @Order(3)
    void breakerRow_openHalfOpenClosedIsSeenAndTheBreakerAlertsFire() throws Exception {
        GatewayInstance gw = stack.local();
        assertThat(gw.get("127.0.0.31", "/flaky/status/500").status()).isEqualTo(500);
        assertThat(gw.get("127.0.0.31", "/flaky/status/500").status()).isEqualTo(500);
        assertThat(gw.get("127.0.0.31", "/flaky/ok").bodyText()).contains("circuit_open");
        awaitFiring("GatewayCircuitBreakerOpen", Map.of("route", "flaky"), null);
        // a status series is born at its first count (status codes are not known up front), so rate() needs the
        // traffic that goes on meanwhile, as it does in a real outage: 503 while open, 500 from a probe
        awaitFiring("GatewayHigh5xxRatio", Map.of("route", "flaky"),
                () -> assertThat(gw.get("127.0.0.31", "/flaky/status/500").status()).isGreaterThanOrEqualTo(500));

        // after the reset timeout one probe goes through; held 2.5 s, so a scrape sees HALF_OPEN; it closes
        stack.await("the probe closes the breaker",
                () -> gw.get("127.0.0.31", "/flaky/delay/2500").status() == 200);
        stack.await("open, half-open and closed transitions counted from the first one", () -> {
            JsonNode r = stack.prometheus().query("sum by (from, to) (increase("
                    + "gateway_circuit_breaker_transitions_total{route=\"flaky\"}[5m])) > 0");
            Set<String> seen = new TreeSet<>();
            r.forEach(s -> seen.add(s.path("metric").path("from").asText() + ">" + s.path("metric").path("to").asText()));
            return seen.containsAll(List.of("closed>open", "open>half_open", "half_open>closed"));
        });
        assertThat(stack.prometheus().query("max(max_over_time(gateway_circuit_breaker_state"
                + "{route=\"flaky\",state=\"half_open\"}[5m])) == 1")).as("HALF_OPEN scraped").isNotEmpty();
    }

    @Test
    @Order(4)
    void latencyRow_upstreamTimeoutsFireTheLatencyAlert() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> slow = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                slow.add(clients.submit(() -> stack.local().get("127.0.0.41", "/slow/delay/4000").status()));
            }
            assertThat(stack.local().get("127.0.0.41", "/slow/ok").status()).isEqualTo(200);
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : slow) {
                statuses.add(f.get());
            }
            // a 4 s upstream behind a 3 s timeout: 504, every one (a head later than the route's timeout is refused
            // even when a paused JVM read it only after the timeout, UpstreamHeadTimeout)
            assertThat(statuses).containsOnly(504);
        } finally {
            clients.shutdownNow();
        }
        awaitFiring("GatewayUpstreamLatencyHigh", Map.of("route", "slow"), null);
    }

    @Test
    @Order(5)
    void storeRow_aRedisOutageUnderEachFailModeCountsAndAlerts() throws Exception {
        RedisNode redis = stack.redis();
        redis.kill();
        // fail mode closed alone first: its 503 store_unavailable decisions must fire the fallback alert by themselves
        AtomicInteger n = new AtomicInteger();
        awaitFiring("GatewayRateLimitFallback", Map.of(), () -> {
            RawHttp.Response r = stack.closed().get("127.0.2." + (1 + n.getAndIncrement() % 200), "/proxy/ok");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("store_unavailable");
        });
        awaitFiring("GatewayStoreErrors", Map.of(), null);
        for (int i = 0; i < 3; i++) {
            assertThat(stack.local().get("127.0.3." + (1 + i), "/proxy/ok").status()).as("local").isEqualTo(200);
            assertThat(stack.open().get("127.0.4." + (1 + i), "/proxy/ok").status()).as("open").isEqualTo(200);
        }
        stack.await("each fail mode's fallback outcome scraped", () -> {
            Set<String> seen = new TreeSet<>();
            stack.prometheus().query("sum by (instance, outcome) (increase(gateway_rate_limit_decisions_total"
                    + "{outcome=~\"fallback.*|store_unavailable\"}[5m])) > 0").forEach(s -> seen.add(
                    s.path("metric").path("instance").asText() + " " + s.path("metric").path("outcome").asText()));
            return seen.containsAll(List.of(stack.target(stack.local()) + " fallback_allowed",
                    stack.target(stack.open()) + " fallback_allowed",
                    stack.target(stack.closed()) + " store_unavailable"));
        });

        redis.restart();
        stack.await("every instance back on Redis", () -> stack.prometheus()
                .query("count(gateway_store_available{job=\"api-gateway\"} == 1) == 3").size() == 1);
    }

    @Test
    @Order(6)
    void routeFilesRow_aBrokenFileFiresTheRefusedAlertAndServesNothing() throws Exception {
        // a templated route without its upstreamUrl
        Files.writeString(stack.routesDir().resolve("broken.yaml"), "- templatedRoute:\n"
                + "    routeTemplateRef: gateway-route\n    routeId: broken\n    parameters:\n"
                + "      - name: path\n        value: /broken\n");
        awaitFiring("GatewayRouteFileRefused", Map.of("instance", stack.target(stack.local())), null);
        assertThat(stack.local().get("127.0.0.61", "/broken/ok").status()).isEqualTo(404);
    }

    @Test
    @Order(7)
    void anInstanceThatStopsFiresInstanceDown() throws Exception {
        String target = stack.target(stack.closed());
        stack.stopClosed();
        awaitFiring("GatewayInstanceDown", Map.of("instance", target), null);
    }

    @Test
    @Order(8)
    void everyPanelQueryWithTheDashboardsVariablesReturnsData() throws Exception {
        DashboardProbe dashboard = new DashboardProbe(stack.prometheus(), stack.started());
        List<String> empty = new ArrayList<>();
        for (MonitoringQueries.PanelQuery q : MonitoringQueries.panelQueries()) {
            if (dashboard.range(q.expr()).isEmpty()) {
                empty.add(q.panel() + ": " + dashboard.substitute(q.expr()));
            }
        }
        Files.writeString(stack.dir().resolve("prometheus.log"), stack.prometheus().log());
        assertThat(empty).as("panel queries without data (variables: " + dashboard.variables() + ")").isEmpty();
        // the breaker opened once: the transitions panel shows it (a series born at 1 would show nothing)
        assertThat(dashboard.maxOf("sum by (route, from, to) (increase(gateway_circuit_breaker_transitions_total"
                + "{route=\"flaky\",from=\"closed\",to=\"open\"}[$__rate_interval]))")).isPositive();
    }

    @Test
    @Order(9)
    void everyAlertFiredInItsScenario() {
        Set<String> expected = new TreeSet<>();
        MonitoringQueries.alertRules().forEach(r -> expected.add(String.valueOf(r.get("alert"))));
        expected.removeAll(NOT_FIRED_HERE.keySet());
        assertThat(fired).as("alerts that reached firing (not here: " + NOT_FIRED_HERE + ")").isEqualTo(expected);
    }

    /** Waits until the alert fires with those labels, running {@code traffic} (if any) before each look. */
    private static void awaitFiring(String alert, Map<String, String> labels, MonitoringStack.Step traffic)
            throws Exception {
        try {
            stack.await(alert + " firing with " + labels, () -> {
                if (traffic != null) {
                    traffic.run();
                }
                return stack.prometheus().firing(alert, labels);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\nalerts now: " + stack.prometheus().alerts()
                    + "\nits expression now: " + stack.prometheus().query(expr(alert)), e);
        }
        fired.add(alert);
    }

    private static String expr(String alert) {
        return MonitoringQueries.alertRules().stream().filter(r -> alert.equals(r.get("alert")))
                .map(r -> String.valueOf(r.get("expr")).replaceAll("\\s*(>|==)\\s*[0-9.]+\\s*$", ""))
                .findFirst().orElseThrow();
    }

}
