package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.apigateway.support.AbstractGatewayTest;
import dev.apigateway.support.Prometheus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Slow clients and slow upstreams against a gateway with few request threads: the route's bulkhead, the request
 * deadline and the body rate keep threads free, so {@code /health} answers throughout. All on loopback, bounded in
 * count (24 slow clients) and time (seconds).
 */
@TestPropertySource(properties = {
        "server.tomcat.threads.max=16",
        "server.tomcat.connection-timeout=2000",
        // turned-away slow uploads are not drained (CONFIG.md, SERVER_MAX_SWALLOW_BYTES)
        "server.tomcat.max-swallow-size=1",
        "gateway.max-concurrent-requests-per-route=4",
        "gateway.request-deadline=4"
})
class ResourceLimitsTest extends AbstractGatewayTest {

    private static final int SLOW_CLIENTS = 24;

    @Autowired
    private RouteBulkhead bulkhead;

    @Test
    void healthAnswersWhileManySlowUploadsHoldConnections() throws Exception {
        double rejectedBefore = rejected();
        List<Socket> slow = new ArrayList<>();
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(15_000);
                socket.getOutputStream().write(("POST /proxy/echo HTTP/1.1\r\nHost: gateway.test\r\n"
                        + "Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                slow.add(socket);
            }
            // one byte every 200 ms on each connection: far slower than anything the gateway should wait for
            drip.scheduleAtFixedRate(() -> slow.forEach(ResourceLimitsTest::dripOneByte), 0, 200, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> bulkhead.inFlight("proxy") == 4);

            for (int i = 0; i < 5; i++) {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(gateway("/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
            }

            List<String> outcomes = new ArrayList<>();
            for (Socket socket : slow) {
                outcomes.add(statusOf(socket));
            }
            // the four admitted ones run out of time (408), the others were turned away at once (503); a turned
            // away client still sending may see its connection closed before it reads the answer
            assertThat(outcomes).allMatch(o -> o.equals("408") || o.equals("503") || o.equals("closed"));
            assertThat(outcomes).contains("408");
            assertThat(rejected() - rejectedBefore).isGreaterThanOrEqualTo(
                    outcomes.stream().filter("503"::equals).count()).isPositive();
            await().atMost(Duration.ofSeconds(5)).until(() -> bulkhead.inFlight("proxy") == 0);
        } finally {
            drip.shutdownNow();
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void aRouteWithItsMostRequestsInFlightAnswers503RouteBusy() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(http.sendAsync(HttpRequest.newBuilder(gateway("/proxy/delay/800")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> bulkhead.inFlight("proxy") == 4);
        long hits = upstream.hits();

        HttpResponse<String> busy = get("/proxy/ok");
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(busy.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(busy.body()).contains("\"error\":\"route_busy\"").contains("\"requestId\":\"");
        assertThat(upstream.hits()).isEqualTo(hits);
        assertThat(get("/health").statusCode()).isEqualTo(200);

        for (CompletableFuture<HttpResponse<String>> request : held) {
            assertThat(request.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(get("/proxy/ok").statusCode()).isEqualTo(200);
    }

    @Test
    void aSlowDripAnswerPastTheDeadlineIsCutNotEndedAsIfWhole() {
        long start = System.nanoTime();
        // 20 chunks 300 ms apart: 6 s of answer, each chunk well within the upstream timeout, past the 4 s deadline
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(gateway("/proxy/drip?chunks=20&chunkBytes=16"
                + "&intervalMs=300")).timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        // cut, not complete, at the deadline: not once the drip is over
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(5500));
    }

    private double rejected() throws Exception {
        return Prometheus.value(Prometheus.scrape(managementPort), "gateway_bulkhead_rejected_total", "route=\"proxy\"");
    }

    private static void dripOneByte(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write('x');
            out.flush();
        } catch (IOException e) {
            // answered and closed by the gateway
        }
    }

    /** The status code of the answer on the connection, or {@code closed} when it ended without one. */
    private static String statusOf(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int n = 0;
            while (n < head.length) {
                int r = in.read(head, n, head.length - n);
                if (r < 0) {
                    return "closed";
                }
                n += r;
            }
            return new String(head, 9, 3, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "closed";
        }
    }
}
