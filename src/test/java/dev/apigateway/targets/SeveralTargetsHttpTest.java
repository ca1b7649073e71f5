package dev.apigateway.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.apigateway.support.Prometheus;
import dev.apigateway.upstream.UpstreamService;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Balancing and passive health over real upstream servers on loopback: the weighted split, a killed target ejected
 * at once while every GET still answers 200, its return once back (driven clock), the operator's view.
 */
class SeveralTargetsHttpTest extends AbstractTargetsHttpTest {

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
}
