package dev.apigateway.upstream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpstreamServiceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static UpstreamService upstream;
    private static HttpClient client;

    @BeforeAll
    static void startUpstream() {
        upstream = UpstreamService.start(0);
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @BeforeEach
    void forgetEarlierRequests() {
        upstream.reset();
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void startOnPortZeroPicksAFreePortAndBaseUrlIsLoopback() {
        assertThat(upstream.port()).isPositive();
        assertThat(upstream.baseUrl()).isEqualTo("http://127.0.0.1:" + upstream.port());
    }

    @Test
    void closeStopsQuicklyEvenWithARequestWaitingInDelay() throws Exception {
        UpstreamService other = UpstreamService.start(0);
        CompletableFuture<HttpResponse<String>> pending =
                client.sendAsync(get(other, "/delay/60000"), HttpResponse.BodyHandlers.ofString());
        awaitHits(other, 1);

        long started = System.nanoTime();
        other.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
        other.close(); // idempotent
    }

    @Test
    void keepAliveAnswersAreNotHeldBackByNagleAndDelayedAck() throws Exception {
        // Head and body leave in two writes; without TCP_NODELAY each answer waits ~40 ms for an ACK.
        try (Socket socket = new Socket("127.0.0.1", upstream.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] request = "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                out.write(request);
                out.flush();
                assertThat(readResponse(in)).endsWith("{\"status\":\"ok\"}");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(600));
        }
    }

    // ------------------------------------------------------------------ simple endpoints

    @Test
    void okAnswers200WithStatusOkJson() throws Exception {
        HttpResponse<String> r = send(get("/ok"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.headers().firstValue("content-length")).hasValue("15");
        assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
    }

    @Test
    void okAnswersAnyMethod() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            HttpResponse<String> r = send(request("/ok").method(method, HttpRequest.BodyPublishers.ofString("x")).build());
            assertThat(r.statusCode()).as(method).isEqualTo(200);
        }
    }

    @Test
    void everyAnswerEchoesTheTraceContextItReceived() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        HttpResponse<String> r = send(request("/status/503").header("traceparent", traceparent)
                .header("tracestate", "vendor=a").build());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("x-received-traceparent")).hasValue(traceparent);
        assertThat(r.headers().firstValue("x-received-tracestate")).hasValue("vendor=a");

        HttpResponse<String> none = send(get("/ok"));
        assertThat(none.headers().firstValue("x-received-traceparent")).isEmpty();
        assertThat(none.headers().firstValue("x-received-tracestate")).isEmpty();
    }

    @Test
    void headAnswersWithTheGetContentLengthButNoBody() throws Exception {
        HttpResponse<String> r = send(request("/ok").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-length")).hasValue("15");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void healthAnswers200() throws Exception {
        HttpResponse<String> r = send(get("/health"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/nope", "/ok/", "/okay", "/echoes", "/status", "/proxy/ok"})
    void unknownPathAnswers404NotFoundJson(String path) throws Exception {
        HttpResponse<String> r = send(get(path));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).startsWith("{\"error\":\"not_found\"");
    }

    // ------------------------------------------------------------------ echo

    @Test
    void echoReturnsMethodRawPathRawQueryHeadersAndBodyDigest() throws Exception {
        byte[] body = "hello upstream".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = send(request("/echo/a%2Fb/c%20d?x=1&x=%26two")
                .header("X-Dup", "one")
                .header("X-Dup", "two")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body())
                .contains("\"method\":\"POST\"")
                .contains("\"path\":\"/echo/a%2Fb/c%20d\"")
                .contains("\"query\":\"x=1&x=%26two\"")
                .contains("\"x-dup\":[\"one\",\"two\"]")
                .contains("\"content-type\":[\"text/plain\"]")
                .contains("\"bodyLength\":" + body.length)
                .contains("\"bodySha256\":\"" + sha256(body) + "\"");
    }

    @Test
    void echoWithoutQueryOrBodyReportsNullQueryAndEmptyDigest() throws Exception {
        HttpResponse<String> r = send(get("/echo"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .contains("\"method\":\"GET\"")
                .contains("\"path\":\"/echo\"")
                .contains("\"query\":null")
                .contains("\"bodyLength\":0")
                .contains("\"bodySha256\":\"" + RecordedRequest.EMPTY_SHA256 + "\"");
    }

    @Test
    void echoHashesALargeStreamedBody() throws Exception {
        byte[] body = new byte[4 * 1024 * 1024 + 17];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        HttpResponse<String> r = send(request("/echo/upload")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))) // chunked
                .build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .contains("\"bodyLength\":" + body.length)
                .contains("\"bodySha256\":\"" + sha256(body) + "\"");
    }

    // ------------------------------------------------------------------ recording

    @Test
    void recordingKeepsRawEncodedPathQueryDuplicateHeadersAndBodyDigest() throws Exception {
        byte[] body = {1, 2, 3, 4, 5};
        send(request("/echo/%2e%2e/sp%20ace%2Fx?q=a%20b&q=c+d")
                .header("X-Dup", "first")
                .header("X-Dup", "second")
                .header("X-Api-Key", "k1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());

        assertThat(upstream.requests()).hasSize(1);
        RecordedRequest rec = upstream.requests().get(0);
        assertThat(rec.method()).isEqualTo("POST");
        assertThat(rec.rawPath()).isEqualTo("/echo/%2e%2e/sp%20ace%2Fx");
        assertThat(rec.rawQuery()).isEqualTo("q=a%20b&q=c+d");
        assertThat(rec.headerValues("x-dup")).containsExactly("first", "second");
        assertThat(rec.headers().get("X-DUP")).containsExactly("first", "second");
        assertThat(rec.headers()).containsKey("x-api-key");
        assertThat(rec.header("X-Api-Key")).isEqualTo("k1");
        assertThat(rec.header("x-absent")).isNull();
        assertThat(rec.bodyLength()).isEqualTo(5);
        assertThat(rec.bodySha256()).isEqualTo(sha256(body));
        assertThat(upstream.lastRequest()).contains(rec);
    }

    @Test
    void recordingHasNullQueryWhenThereIsNone() throws Exception {
        send(get("/ok"));
        RecordedRequest rec = upstream.lastRequest().orElseThrow();
        assertThat(rec.rawQuery()).isNull();
        assertThat(rec.bodyLength()).isZero();
        assertThat(rec.bodySha256()).isEqualTo(RecordedRequest.EMPTY_SHA256);
    }

    @Test
    void hitsCountAllRequestsAndByRawPathPrefixUntilReset() throws Exception {
        send(get("/ok"));
        send(get("/echo/a"));
        send(get("/echo/b"));
        send(get("/status/500"));
        send(get("/nope")); // a 404 still reached the upstream

        assertThat(upstream.hits()).isEqualTo(5);
        assertThat(upstream.hits("/echo")).isEqualTo(2);
        assertThat(upstream.hits("/echo/a")).isEqualTo(1);
        assertThat(upstream.hits("/status/")).isEqualTo(1);
        assertThat(upstream.hits("/bytes")).isZero();
        assertThat(upstream.requests()).extracting(RecordedRequest::rawPath)
                .containsExactly("/ok", "/echo/a", "/echo/b", "/status/500", "/nope");

        upstream.reset();
        assertThat(upstream.hits()).isZero();
        assertThat(upstream.hits("/echo")).isZero();
        assertThat(upstream.requests()).isEmpty();
        assertThat(upstream.lastRequest()).isEmpty();
    }

    @Test
    void concurrentRequestsAreAllCounted() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            futures.add(client.sendAsync(get("/echo/" + i), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : futures) {
            assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(upstream.hits()).isEqualTo(16);
        assertThat(upstream.hits("/echo/")).isEqualTo(16);
        assertThat(upstream.requests()).hasSize(16);
    }

    // ------------------------------------------------------------------ status

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 400, 404, 418, 429, 500, 502, 503, 599})
    void statusAnswersTheRequestedCodeWithASmallJsonBody(int code) throws Exception {
        HttpResponse<String> r = send(get("/status/" + code));
        assertThat(r.statusCode()).isEqualTo(code);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"status\":" + code + "}");
    }

    @ParameterizedTest
    @ValueSource(ints = {204, 304})
    void status204And304HaveNoBody(int code) throws Exception {
        HttpResponse<String> r = send(get("/status/" + code));
        assertThat(r.statusCode()).isEqualTo(code);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("content-length")).isEmpty();
        assertThat(r.headers().firstValue("transfer-encoding")).isEmpty();
    }

    @Test
    void statusHeaderParameterSetsResponseHeadersIncludingRepeatedOnes() throws Exception {
        HttpResponse<String> r = send(get("/status/200"
                + "?header=X-Custom:hello%20world"
                + "&header=Set-Cookie:a%3D1%3B%20Path%3D%2F"
                + "&header=Set-Cookie:b%3D2"
                + "&header=Location:/elsewhere"
                + "&header=Keep-Alive:timeout%3D5"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-custom")).hasValue("hello world");
        assertThat(r.headers().allValues("set-cookie")).containsExactly("a=1; Path=/", "b=2");
        assertThat(r.headers().firstValue("location")).hasValue("/elsewhere");
        assertThat(r.headers().firstValue("keep-alive")).hasValue("timeout=5");
    }

    @Test
    void statusHeaderParameterCanReplaceTheContentType() throws Exception {
        HttpResponse<String> r = send(get("/status/200?header=Content-Type:text/plain"));
        assertThat(r.headers().allValues("content-type")).containsExactly("text/plain");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "99", "600", "1000", "-1", "2e2", "200.0", "%32%30%30", "99999999999999999999999", ""})
    void statusWithBadCodeAnswers400Json(String code) throws Exception {
        HttpResponse<String> r = send(get("/status/" + code));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).startsWith("{\"error\":\"bad_request\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NoColon", ":value", "Bad%20Name:v", "X-Crlf:a%0D%0AInjected:1",
            "Content-Length:5", "Transfer-Encoding:chunked"})
    void statusWithBadHeaderParameterAnswers400(String spec) throws Exception {
        HttpResponse<String> r = send(get("/status/200?header=" + spec));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("{\"error\":\"bad_request\"");
    }

    @Test
    void statusWithAnInterimCodeClosesTheConnectionInsteadOfHanging() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> send(get("/status/102")))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(HttpTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT);
    }

    // ------------------------------------------------------------------ delay

    @Test
    void delayWaitsTheGivenMillisecondsThenAnswers200() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> r = send(get("/delay/250"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"ok\",\"delayedMs\":250}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-5", "1.5", "", "10/extra"})
    void delayWithBadMillisecondsAnswers400(String ms) throws Exception {
        HttpResponse<String> r = send(get("/delay/" + ms));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("{\"error\":\"bad_request\"");
    }

    // ------------------------------------------------------------------ flaky

    @Test
    void flakyWithFailRateZeroAlwaysSucceedsAndOneAlwaysFails() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(send(get("/flaky?failRate=0")).statusCode()).isEqualTo(200);
            assertThat(send(get("/flaky?failRate=1")).statusCode()).isEqualTo(500);
        }
    }

    @Test
    void flakyWithHalfFailRateGivesBothAnswers() throws Exception {
        int failures = 0;
        for (int i = 0; i < 100; i++) {
            int code = send(get("/flaky?failRate=0.5")).statusCode();
            assertThat(code).isIn(200, 500);
            if (code == 500) {
                failures++;
            }
        }
        assertThat(failures).isBetween(20, 80); // 6 sigma either side of 50
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "-0.1", "1.01", "NaN", "Infinity", ""})
    void flakyWithBadFailRateAnswers400(String rate) throws Exception {
        HttpResponse<String> r = send(get("/flaky?failRate=" + rate));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("{\"error\":\"bad_request\"");
    }

    // ------------------------------------------------------------------ bytes

    @Test
    void bytesStreamsNDeterministicBytesWithAFixedContentLength() throws Exception {
        int n = 2 * 1024 * 1024 + 123;
        HttpResponse<InputStream> r = client.send(get("/bytes/" + n), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/octet-stream");
        assertThat(r.headers().firstValue("content-length")).hasValue(Integer.toString(n));
        assertThat(r.headers().firstValue("transfer-encoding")).isEmpty();
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readAllBytes();
        }
        assertThat(body).hasSize(n);
        for (int i = 0; i < n; i++) {
            if (body[i] != (byte) (i % 251)) {
                throw new AssertionError("byte " + i + " is " + body[i] + ", expected " + (i % 251));
            }
        }
    }

    @Test
    void bytesZeroAnswersAnEmptyBodyWithContentLengthZero() throws Exception {
        HttpResponse<String> r = send(get("/bytes/0"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-length")).hasValue("0");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void bytesHeadAnnouncesTheLengthWithoutSendingIt() throws Exception {
        HttpResponse<String> r = send(request("/bytes/1073741824").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-length")).hasValue("1073741824");
        assertThat(r.body()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "1073741825", "99999999999999999999999", "1k", ""})
    void bytesWithBadOrTooLargeCountAnswers400(String n) throws Exception {
        HttpResponse<String> r = send(get("/bytes/" + n));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("{\"error\":\"bad_request\"");
    }

    // ------------------------------------------------------------------ drip and close

    @Test
    void dripSendsChunksAsTheyAreMadeWithoutContentLength() throws Exception {
        long started = System.nanoTime();
        HttpResponse<InputStream> r = client.send(get("/drip?chunks=2&chunkBytes=300&intervalMs=700"),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-length")).isEmpty();
        assertThat(r.headers().firstValue("transfer-encoding")).hasValue("chunked");
        try (InputStream in = r.body()) {
            byte[] firstChunk = in.readNBytes(300);
            Duration firstChunkAfter = Duration.ofNanos(System.nanoTime() - started);
            byte[] rest = in.readAllBytes();
            Duration allAfter = Duration.ofNanos(System.nanoTime() - started);

            assertThat(firstChunkAfter).isLessThan(Duration.ofMillis(600));
            assertThat(allAfter).isGreaterThanOrEqualTo(Duration.ofMillis(700));
            assertThat(rest).hasSize(300);
            for (int i = 0; i < 600; i++) {
                byte b = i < 300 ? firstChunk[i] : rest[i - 300];
                assertThat(b).as("byte %d", i).isEqualTo((byte) (i % 251));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"chunks=0", "chunks=x", "chunks=10001", "chunkBytes=0", "chunkBytes=70000",
            "intervalMs=-1", "chunks=100&intervalMs=1000"})
    void dripWithBadParametersAnswers400(String query) throws Exception {
        HttpResponse<String> r = send(get("/drip?" + query));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("{\"error\":\"bad_request\"");
    }

    @Test
    void closeEndpointDropsTheConnectionWithoutAnyAnswerButIsRecorded() {
        assertThatThrownBy(() -> send(request("/close").POST(HttpRequest.BodyPublishers.ofString("x")).build()))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(HttpTimeoutException.class);
        assertThat(upstream.hits("/close")).isEqualTo(1);
        assertThat(upstream.lastRequest().orElseThrow().bodyLength()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ redirect and cookies

    @Test
    void redirectAnswers302WithTheLocationGiven() throws Exception {
        HttpResponse<String> r = send(get("/redirect?to=%2Fecho%3Fa%3D1"));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("location")).hasValue("/echo?a=1");
    }

    @Test
    void redirectDefaultsToOkAndAcceptsAnotherRedirectStatus() throws Exception {
        assertThat(send(get("/redirect")).headers().firstValue("location")).hasValue("/ok");
        assertThat(send(get("/redirect?to=/ok&status=307")).statusCode()).isEqualTo(307);
        assertThat(send(get("/redirect?to=/ok&status=200")).statusCode()).isEqualTo(400);
        assertThat(send(get("/redirect?to=/a%0D%0AX:1")).statusCode()).isEqualTo(400);
    }

    @Test
    void cookiesSetAnswersWithOneSetCookieHeaderPerCookie() throws Exception {
        HttpResponse<String> r = send(get("/cookies/set?session=abc123&theme=dark"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().allValues("set-cookie"))
                .containsExactly("session=abc123; Path=/", "theme=dark; Path=/");
        assertThat(r.body()).isEqualTo("{\"set\":{\"session\":\"abc123\",\"theme\":\"dark\"}}");
    }

    @Test
    void cookiesSetWithBadCookieAnswers400() throws Exception {
        assertThat(send(get("/cookies/set?a=b%3Bc")).statusCode()).isEqualTo(400);
        assertThat(send(get("/cookies/set?bad%20name=1")).statusCode()).isEqualTo(400);
    }

    @Test
    void cookiesReturnsTheCookieHeaderReceived() throws Exception {
        HttpResponse<String> r = send(request("/cookies").header("Cookie", "a=1; b=2").build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"cookie\":\"a=1; b=2\",\"cookies\":{\"a\":\"1\",\"b\":\"2\"}}");
    }

    @Test
    void cookiesReturnsNullWithoutACookieHeader() throws Exception {
        HttpResponse<String> r = send(get("/cookies"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"cookie\":null,\"cookies\":{}}");
    }

    // ------------------------------------------------------------------ helpers

    private static HttpRequest.Builder request(String pathAndQuery) {
        return request(upstream, pathAndQuery);
    }

    private static HttpRequest.Builder request(UpstreamService target, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(target.baseUrl() + pathAndQuery)).timeout(TIMEOUT);
    }

    private static HttpRequest get(String pathAndQuery) {
        return request(pathAndQuery).GET().build();
    }

    private static HttpRequest get(UpstreamService target, String pathAndQuery) {
        return request(target, pathAndQuery).GET().build();
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitHits(UpstreamService target, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (target.hits() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(target.hits()).isGreaterThanOrEqualTo(n);
    }

    /** Reads one HTTP/1.1 answer with a Content-Length body from a raw socket stream. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("connection closed after: " + head);
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
