package dev.apigateway.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.apigateway.proxy.FaultyUpstream;
import dev.apigateway.support.Prometheus;
import dev.apigateway.testsupport.MutableClock;
import dev.apigateway.upstream.UpstreamService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Routes over several real upstream servers on loopback: the weighted split, a killed target ejected while every GET
 * still answers 200, its return once back (driven clock), the retry budget under a flood of failures, and what is
 * never retried. Each test has its own route (added from the template), so their targets' state does not mix.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.state-store=memory",
        "gateway.rate-limit.capacity=1000000",
        "gateway.circuit-breaker.failure-threshold=100000",
        "gateway.upstream-timeout=2",
        "gateway.upstream-ejection-consecutive-failures=5",
        "gateway.upstream-ejection-time=30",
        "gateway.routes-dir=target/test-routes-empty",
        "logging.level.dev.apigateway.events=ERROR"
})
class SeveralTargetsHttpTest {

    private static final MutableClock CLOCK = new MutableClock(Instant.ofEpochMilli(1_700_000_000_000L));
    private static final List<UpstreamService> UPSTREAMS = new ArrayList<>();
    private static final UpstreamService A = start(0);
    private static final UpstreamService B = start(0);
    private static final UpstreamService C = start(0);

    @TestConfiguration
    static class DrivenTime {
        @Bean
        Clock testClock() {
            return CLOCK;
        }
    }

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) {
        registry.add("gateway.upstream-url", () -> A.baseUrl() + ";weight=3," + B.baseUrl() + "," + C.baseUrl());
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    CamelContext camel;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterAll
    static void stopUpstreams() {
        UPSTREAMS.forEach(UpstreamService::close);
    }

    @Test
    void theWeightsShowInTheSplitAndEveryTargetsMetersStartAtZero() throws Exception {
        String scrape = Prometheus.scrape(managementPort);
        for (UpstreamService u : List.of(A, B, C)) {
            assertThat(scrape).contains("gateway_upstream_requests_total{outcome=\"timeout\",route=\"proxy\",target=\""
                    + label(u) + "\"} 0.0");
        }
        assertThat(scrape).contains("gateway_upstream_retries_total{route=\"proxy\"} 0.0");
        List.of(A, B, C).forEach(UpstreamService::reset);

        for (int i = 0; i < 100; i++) {
            assertThat(get("/proxy/ok").statusCode()).isEqualTo(200);
        }

        // 3:1:1 of 100; the rotation is exact over whole rounds of 5, whatever came before
        assertThat(A.hits()).isBetween(58L, 62L);
        assertThat(B.hits()).isBetween(18L, 22L);
        assertThat(C.hits()).isBetween(18L, 22L);
        assertThat(A.hits() + B.hits() + C.hits()).isEqualTo(100);
        assertThat(Prometheus.value(Prometheus.scrape(managementPort), "gateway_upstream_requests_total",
                "route=\"proxy\"", "target=\"" + label(A) + "\"", "outcome=\"success\"")).isGreaterThanOrEqualTo(58);
    }

    @Test
    void aKilledTargetStopsTakingTrafficAtOnceEveryGetStillAnswersAndItReturnsOnceBack() throws Exception {
        UpstreamService first = start(0);
        UpstreamService second = start(0);
        int secondPort = second.port();
        addRoute("pair", "/pair", first.baseUrl() + "," + second.baseUrl());
        for (int i = 0; i < 20; i++) {
            assertThat(get("/pair/ok").statusCode()).isEqualTo(200);
        }
        assertThat(second.hits()).isEqualTo(10);

        Logger events = (Logger) LoggerFactory.getLogger("dev.apigateway.events");
        Level level = events.getLevel();
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        events.addAppender(logged);
        events.setLevel(Level.INFO);

        second.close();
        first.reset();
        long killed = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertThat(get("/pair/ok").statusCode()).isEqualTo(200);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(10));
        String scrape = Prometheus.scrape(managementPort);
        String target = "target=\"127.0.0.1:" + secondPort + "\"";
        // the first request after the kill found it gone (a pooled connection closed, then a refused connect) and
        // went to the other target; none after that tried it
        assertThat(Prometheus.value(scrape, "gateway_upstream_requests_total", "route=\"pair\"", target,
                "outcome=\"unreachable\"")).isBetween(1.0, 2.0);
        assertThat(first.hits()).isEqualTo(100);
        assertThat(Prometheus.value(scrape, "gateway_upstream_ejections_total", "route=\"pair\"", target))
                .isEqualTo(1.0);
        assertThat(Prometheus.value(scrape, "gateway_upstream_target_ejected", "route=\"pair\"", target))
                .isEqualTo(1.0);

        HttpResponse<String> view = send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/upstreams/pair")));
        assertThat(view.statusCode()).isEqualTo(200);
        assertThat(view.body()).contains("{\"target\":\"127.0.0.1:" + secondPort + "\",\"url\":\"http://127.0.0.1:"
                + secondPort + "\",\"weight\":1,\"ejected\":true,\"ejectedForSeconds\":30,");
        assertThat(view.body()).contains("{\"target\":\"" + label(first) + "\"").contains("\"ejected\":false");

        UpstreamService again = start(secondPort);
        for (int i = 0; i < 10; i++) {
            assertThat(get("/pair/ok").statusCode()).isEqualTo(200);
        }
        assertThat(again.hits()).as("still ejected: its 30 s are not up").isZero();

        CLOCK.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 20; i++) {
            assertThat(get("/pair/ok").statusCode()).isEqualTo(200);
        }
        assertThat(again.hits()).isBetween(9L, 11L);
        assertThat(Prometheus.value(Prometheus.scrape(managementPort), "gateway_upstream_target_ejected",
                "route=\"pair\"", target)).isZero();
        events.detachAppender(logged);
        events.setLevel(level);
        // logged once each, not once per request that found the target out
        assertThat(logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("127.0.0.1:" + secondPort))).containsExactly(
                "Upstream target 127.0.0.1:" + secondPort + " of route pair ejected for 30 s",
                "Upstream target 127.0.0.1:" + secondPort + " of route pair is back in rotation");
    }

    @Test
    void underConcurrentLoadAKilledTargetIsOutWithinASecondAndNoRequestFails() throws Exception {
        UpstreamService first = start(0);
        UpstreamService second = start(0);
        String target = "target=\"" + label(second) + "\"";
        addRoute("busy", "/busy", first.baseUrl() + "," + second.baseUrl());
        AtomicBoolean running = new AtomicBoolean(true);
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            for (int c = 0; c < 4; c++) {
                clients.submit(() -> {
                    while (running.get()) {
                        int status = get("/busy/ok").statusCode();
                        statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                });
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> second.hits() >= 20);

            second.close();
            await().atMost(Duration.ofSeconds(1)).until(() -> Prometheus.value(Prometheus.scrape(managementPort),
                    "gateway_upstream_target_ejected", "route=\"busy\"", target) == 1.0);
            long after = first.hits();
            await().atMost(Duration.ofSeconds(10)).until(() -> first.hits() >= after + 100);
        } finally {
            running.set(false);
            clients.shutdown();
            assertThat(clients.awaitTermination(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(statuses.keySet()).as("every request was answered by one of the targets").containsOnly(200);
    }

    @Test
    void theRetryBudgetHoldsUnderAFloodOfFailures() throws Exception {
        UpstreamService live = start(0);
        // two targets that refuse every connection: one is ejected, the other may not be (at most 1 of 3 is out),
        // so every other request fails on it and asks for a retry
        addRoute("flood", "/flood", "http://127.0.0.1:" + closedPort() + ",http://127.0.0.1:" + closedPort()
                + "," + live.baseUrl());
        int requests = 100;
        Map<Integer, Integer> statuses = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            statuses.merge(get("/flood/ok").statusCode(), 1, Integer::sum);
        }

        String scrape = Prometheus.scrape(managementPort);
        double retries = Prometheus.value(scrape, "gateway_upstream_retries_total", "route=\"flood\"");
        double refused = Prometheus.value(scrape, "gateway_upstream_retries_refused_total", "route=\"flood\"");
        // 20 % of the requests of the last 10 s (the clock stands still here): 20 of 100
        assertThat(retries).isBetween(18.0, 20.0);
        assertThat(refused).isGreaterThan(20.0);
        assertThat(live.hits()).isEqualTo((long) statuses.get(200));
        assertThat(statuses.get(200) + statuses.getOrDefault(502, 0)).isEqualTo(requests);
        double attempts = Prometheus.value(scrape, "gateway_upstream_requests_total", "route=\"flood\"");
        assertThat(attempts).isEqualTo(requests + retries);
    }

    @Test
    void aPostWhoseBodyWasStreamedIsNeverRetriedButAGetIs() throws Exception {
        UpstreamService good = start(0);
        try (FaultyUpstream resets = FaultyUpstream.start((socket, out) -> FaultyUpstream.reset(socket))) {
            // equal weights: the first pick of a fresh route is the first target, then they alternate
            addRoute("posts", "/posts", resets.url("http") + "," + good.baseUrl());

            HttpResponse<String> post = send(HttpRequest.newBuilder(gateway("/posts/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"order\": 42}")));
            assertThat(resets.requests()).isEqualTo(1);
            assertThat(post.statusCode()).isEqualTo(502);
            assertThat(post.body()).contains("\"upstream_unreachable\"");
            assertThat(good.hits()).isZero();

            assertThat(get("/posts/ok").statusCode()).isEqualTo(200); // the second target's turn
            HttpResponse<String> retried = get("/posts/ok"); // the first's: reset, sent again to the second
            assertThat(retried.statusCode()).isEqualTo(200);
            assertThat(resets.requests()).isEqualTo(2);
            assertThat(good.hits()).isEqualTo(2);
            assertThat(Prometheus.value(Prometheus.scrape(managementPort), "gateway_upstream_retries_total",
                    "route=\"posts\"")).isEqualTo(1.0);
        }
    }

    @Test
    void aPostThatCouldNotConnectGoesToAnotherTargetWithItsWholeBody() throws Exception {
        UpstreamService good = start(0);
        addRoute("connect", "/connect", "http://127.0.0.1:" + closedPort() + "," + good.baseUrl());

        HttpResponse<String> post = send(HttpRequest.newBuilder(gateway("/connect/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"order\": 42}")));

        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(good.lastRequest().orElseThrow().bodyLength()).isEqualTo("{\"order\": 42}".length());
        assertThat(good.lastRequest().orElseThrow().method()).isEqualTo("POST");
    }

    @Test
    void aRouteWithRetriesOffAnswersTheFirstTargetsFailure() throws Exception {
        UpstreamService good = start(0);
        addRoute("noretry", "/noretry", "http://127.0.0.1:" + closedPort() + "," + good.baseUrl(),
                "upstreamRetries", "false");

        HttpResponse<String> first = get("/noretry/ok");

        assertThat(first.statusCode()).isEqualTo(502);
        assertThat(good.hits()).isZero();
        // the refusing target is ejected: the next requests go to the other one
        assertThat(get("/noretry/ok").statusCode()).isEqualTo(200);
        assertThat(get("/noretry/ok").statusCode()).isEqualTo(200);
    }

    private void addRoute(String id, String path, String upstreamUrl, String... more) throws Exception {
        Map<String, Object> params = new HashMap<>(Map.of("path", path, "upstreamUrl", upstreamUrl));
        for (int i = 0; i + 1 < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        camel.getCamelContextExtension().getContextPlugin(Model.class).addRouteFromTemplate(id, "gateway-route", params);
    }

    private static UpstreamService start(int port) {
        UpstreamService u = UpstreamService.start("127.0.0.1", port, 16);
        UPSTREAMS.add(u);
        return u;
    }

    private static String label(UpstreamService u) {
        return "127.0.0.1:" + u.port();
    }

    /** A loopback port nothing listens on: connecting to it is refused. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private URI gateway(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(gateway(path)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
