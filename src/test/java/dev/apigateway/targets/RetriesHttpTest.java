package dev.apigateway.targets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.proxy.FaultyUpstream;
import dev.apigateway.support.Prometheus;
import dev.apigateway.upstream.UpstreamService;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Retries over real upstream servers on loopback: the budget under a flood of failures, a POST sent again only when
 * its body was never read, and a route that switches retries off.
 */
class RetriesHttpTest extends AbstractTargetsHttpTest {

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
}
