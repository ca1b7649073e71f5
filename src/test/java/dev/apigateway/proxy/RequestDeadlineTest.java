package dev.apigateway.proxy;

import static dev.apigateway.proxy.FaultyUpstream.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.circuitbreaker.BreakerRegistry;
import dev.apigateway.support.GatewayTestUpstream;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 17.8: one total deadline per request ({@code REQUEST_DEADLINE_SECONDS}, 3 s here) cuts an upstream that
 * keeps the exchange alive one byte at a time (each byte well within the 2 s upstream timeout, so no per-read timeout
 * ever fires) and an upstream that stops reading the upload. Before anything reached the client it gets
 * {@code 504 upstream_timeout}; after, the connection is closed without the end of the answer. Either way within the
 * deadline and a small margin, counted once in {@code gateway_errors_total} and once by the route's breaker, and the
 * request thread is free again: four Tomcat threads outlive many such requests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.state-store=memory",
        "gateway.upstream-timeout=2s",
        "gateway.request-deadline=3",
        "gateway.upstream-max-connections=32",
        "gateway.max-request-body-bytes=67108864",
        "server.tomcat.threads.max=4",
        "logging.level.dev.apigateway.events=ERROR"
})
class RequestDeadlineTest {

    static final Duration DEADLINE = Duration.ofSeconds(3);
    /** What the cut may take beyond the deadline on a loaded machine. */
    static final Duration MARGIN = Duration.ofMillis(1500);
    static final ObjectMapper JSON = new ObjectMapper();

    /** The upstreams' connections are let go when this opens (at the end), or when the gateway closes them. */
    static final CountDownLatch END = new CountDownLatch(1);
    static final List<FaultyUpstream> UPSTREAMS = new ArrayList<>();

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    BreakerRegistry breakers;

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "deadline-routes");
        // the head arrives one byte a second, behind a route timeout longer than the deadline: the deadline cuts it
        route(dir, "headdrip", FaultyUpstream.start((socket, out) -> {
            send(out, "HTTP/1.1 200 OK\r\nX-Slow: ");
            drip(out, "a");
        }), "      - name: upstreamTimeoutSeconds\n        value: 10\n");
        // a whole head, then one chunk of one byte a second: the answer is committed when the deadline comes
        route(dir, "bodydrip", FaultyUpstream.start((socket, out) -> {
            send(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
            drip(out, "1\r\n.\r\n");
        }));
        // accepts and never reads: the upload fills the socket buffers, then the gateway's write blocks
        route(dir, "noread", FaultyUpstream.startRaw((socket, out) -> END.await(60, TimeUnit.SECONDS)));
        // a head in pieces 600 ms apart behind a 1 s route timeout: whole after 2.4 s, within the request deadline,
        // but never a gap long enough for the per-read timeout
        route(dir, "slowhead", FaultyUpstream.start((socket, out) -> {
            send(out, "HTTP/1.1 200 OK\r\n");
            for (int i = 0; i < 4; i++) {
                END.await(600, TimeUnit.MILLISECONDS);
                send(out, "X-Piece: " + i + "\r\n");
            }
            send(out, "Content-Length: 2\r\n\r\nok");
            END.await(10, TimeUnit.SECONDS);
        }), "      - name: upstreamTimeoutSeconds\n        value: 1\n");
        registry.add("gateway.routes-dir", dir::toString);
        registry.add("gateway.upstream-url", () -> GatewayTestUpstream.get().baseUrl());
    }

    @AfterAll
    static void stopUpstreams() throws IOException {
        END.countDown();
        for (FaultyUpstream upstream : UPSTREAMS) {
            upstream.close();
        }
    }

    @Test
    void aHeadDrippingPastTheDeadlineIs504UpstreamTimeoutCountedOnce() throws Exception {
        double errorsBefore = errors("headdrip", "upstream_timeout");
        long failuresBefore = breakerFailures("headdrip");
        long start = System.nanoTime();

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(gateway("/headdrip/x"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

        assertWithinDeadline(start);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("upstream_timeout");
        assertThat(body.get("requestId").asText()).isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(errors("headdrip", "upstream_timeout")).isEqualTo(errorsBefore + 1);
        assertThat(breakerFailures("headdrip")).isEqualTo(failuresBefore + 1);
    }

    @Test
    void aBodyDrippingPastTheDeadlineIsCutWithoutItsEndCountedOnce() throws Exception {
        double errorsBefore = errors("bodydrip", "upstream_timeout");
        long failuresBefore = breakerFailures("bodydrip");
        long start = System.nanoTime();
        try (Socket client = request("GET /bodydrip/x HTTP/1.1\r\nHost: gateway.test\r\n\r\n")) {
            InputStream in = client.getInputStream();
            assertThat(FaultyUpstream.readHead(in)).startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("Transfer-Encoding: chunked");
            String rest = FaultyUpstream.readToEnd(in);
            assertWithinDeadline(start);
            assertThat(rest).as("the answer after its head").contains("1\r\n.\r\n").doesNotContain("0\r\n\r\n");
        }
        await().atMost(Duration.ofSeconds(2))
                .until(() -> errors("bodydrip", "upstream_timeout") == errorsBefore + 1);
        assertThat(breakerFailures("bodydrip")).isEqualTo(failuresBefore + 1);
    }

    @Test
    void anUpstreamThatStopsReadingTheUploadIsCutWith504() throws Exception {
        double errorsBefore = errors("noread", "upstream_timeout");
        long failuresBefore = breakerFailures("noread");
        int length = 48 * 1024 * 1024;
        long start = System.nanoTime();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Socket client = request("POST /noread/x HTTP/1.1\r\nHost: gateway.test\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n")) {
            writer.execute(() -> upload(client, length));
            String head = FaultyUpstream.readHead(client.getInputStream());
            assertWithinDeadline(start);
            assertThat(head).startsWith("HTTP/1.1 504").contains("application/json");
        } finally {
            writer.shutdownNow();
        }
        assertThat(errors("noread", "upstream_timeout")).isEqualTo(errorsBefore + 1);
        assertThat(breakerFailures("noread")).isEqualTo(failuresBefore + 1);
    }

    @Test
    void moreDrippingUpstreamsThanRequestThreadsLeaveTheGatewayAnswering() throws Exception {
        int requests = 10; // against 4 Tomcat threads
        ExecutorService clients = Executors.newFixedThreadPool(requests);
        try {
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                HttpRequest request = HttpRequest.newBuilder(gateway("/headdrip/" + i))
                        .timeout(Duration.ofSeconds(30)).build();
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return http.send(request, HttpResponse.BodyHandlers.ofString());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, clients));
            }
            // in waves of four threads: every one cut at its deadline, none held until the upstream stops
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                assertThat(answer.get(5 * DEADLINE.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(504);
            }
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(gateway("/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> proxied = http.send(HttpRequest.newBuilder(gateway("/proxy/ok"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(proxied.statusCode()).isEqualTo(200);
        } finally {
            clients.shutdownNow();
        }
    }

    /**
     * Issue 17.8, item 3 of the review: the route's upstream timeout is the longest wait for the whole response head
     * after the request was sent, not for each of its pieces (HttpClient's response timeout is a per-read socket
     * timeout, restarted by every byte).
     */
    @Test
    void aHeadWholeOnlyAfterTheRoutesUpstreamTimeoutIs504() throws Exception {
        double errorsBefore = errors("slowhead", "upstream_timeout");
        long failuresBefore = breakerFailures("slowhead");

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(gateway("/slowhead/x"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("upstream_timeout");
        assertThat(errors("slowhead", "upstream_timeout")).isEqualTo(errorsBefore + 1);
        assertThat(breakerFailures("slowhead")).isEqualTo(failuresBefore + 1);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static void route(Path dir, String name, FaultyUpstream upstream) throws IOException {
        route(dir, name, upstream, "");
    }

    private static void route(Path dir, String name, FaultyUpstream upstream, String more) throws IOException {
        UPSTREAMS.add(upstream);
        Files.writeString(dir.resolve(name + ".yaml"), "- templatedRoute:\n"
                + "    routeTemplateRef: gateway-route\n"
                + "    routeId: " + name + "\n"
                + "    parameters:\n"
                + "      - name: path\n        value: /" + name + "\n"
                + "      - name: upstreamUrl\n        value: " + upstream.url("http") + "\n"
                + "      - name: circuitBreakerFailureThreshold\n        value: 1000\n" + more, StandardCharsets.UTF_8);
    }

    /** One piece a second until the gateway closes the connection (or a minute has passed). */
    private static void drip(OutputStream out, String piece) throws Exception {
        for (int i = 0; i < 60 && !END.await(1, TimeUnit.SECONDS); i++) {
            send(out, piece);
        }
    }

    private static void upload(Socket client, int length) {
        byte[] chunk = new byte[64 * 1024];
        try {
            OutputStream out = client.getOutputStream();
            for (int sent = 0; sent < length; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
        } catch (IOException e) {
            // the gateway answered and closed before taking the whole body
        }
    }

    private void assertWithinDeadline(long startNanos) {
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).as("time to the answer or the cut")
                .isLessThan(DEADLINE.plus(MARGIN))
                .isGreaterThanOrEqualTo(DEADLINE.minusMillis(100));
    }

    private Socket request(String head) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return socket;
    }

    private URI gateway(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private double errors(String route, String code) {
        return GatewayCounts.errors(meters, route, code);
    }

    private long breakerFailures(String route) {
        return GatewayCounts.breakerFailures(breakers, route);
    }
}
