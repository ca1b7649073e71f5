package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Every way the upstream call can fail, against real sockets, answered with the contract's status and code, counted
 * in {@code gateway_errors_total}, and counted by the breaker when it is the upstream's failure (CONTRACT.md
 * "Gateway answers" and "Edge hardening"; issue 12 item 3, issue 17 item 10d).
 */
class UpstreamFailureAnswersTest extends AbstractFaultyUpstreamTest {

    @ParameterizedTest(name = "{0}: {1} {2}")
    @CsvSource({
            // route,        status, code,                  what the upstream does
            "refused,        502, upstream_unreachable",  // nothing listens on the port
            "backlog,        502, upstream_unreachable",  // accept queue full: connect timeout
            "halfhead,       502, upstream_unreachable",  // reset in the middle of the response head
            "silent,         504, upstream_timeout",      // connected, never answers: read timeout
            "unknown,        502, upstream_unreachable",  // name under .invalid: not resolved
            "plainport,      502, upstream_unreachable",  // https URL, plain HTTP on the port: TLS failure
            "selfsigned,     502, upstream_unreachable",  // certificate not trusted: handshake failure
            "nothttp,        502, upstream_unreachable",  // an answer that is not HTTP: protocol error
    })
    void upstreamFailureIsTheContractsAnswerCountedAndABreakerFailure(String route, int status, String code)
            throws Exception {
        double before = errors(route, code);
        long failuresBefore = breakerFailures(route);

        HttpResponse<String> response = get("/" + route + "/anything");

        assertError(response, status, code);
        assertThat(errors(route, code)).isEqualTo(before + 1);
        assertThat(breakerFailures(route)).isEqualTo(failuresBefore + 1);
    }

    @Test
    void upstreamThatClosesBeforeTheFirstBodyByteIs502BeforeAnythingIsSent() throws Exception {
        double before = answered("diesbeforebody", 502);

        HttpResponse<String> response = get("/diesbeforebody/x");

        assertError(response, 502, "upstream_unreachable");
        assertThat(response.headers().firstValue("Content-Length")).hasValue(
                Integer.toString(response.body().length()));
        assertThat(answered("diesbeforebody", 502)).isEqualTo(before + 1);
    }

    @Test
    void poolLeasePastTheConnectTimeoutIs503UpstreamBusyWithRetryAfterAndNoBreakerFailure() throws Exception {
        upstreams.slowRelease = new CountDownLatch(1);
        int served = upstreams.slow.requests();
        // the only pooled connection stays leased while the slow upstream's body drips
        CompletableFuture<HttpResponse<InputStream>> holder = http.sendAsync(
                HttpRequest.newBuilder(gateway("/proxy/holder")).build(), HttpResponse.BodyHandlers.ofInputStream());
        await().atMost(Duration.ofSeconds(10)).until(() -> upstreams.slow.requests() == served + 1 && holder.isDone());
        double before = errors("proxy", "upstream_busy");
        long failuresBefore = breakerFailures("proxy");

        HttpResponse<String> response = get("/proxy/waiting");

        assertError(response, 503, "upstream_busy");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(errors("proxy", "upstream_busy")).isEqualTo(before + 1);
        assertThat(breakerFailures("proxy")).isEqualTo(failuresBefore);
        assertThat(upstreams.slow.requests()).isEqualTo(served + 1);

        upstreams.slowRelease.countDown();
        try (InputStream body = holder.get(10, TimeUnit.SECONDS).body()) {
            assertThat(holder.get().statusCode()).isEqualTo(200);
            body.readAllBytes();
        }
    }

    @Test
    void gzipAnswerReachesTheClientAsTheUpstreamSentIt() throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(gateway("/gzip/x")).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(response.body()).isEqualTo(FaultyUpstreams.GZIP_BODY);
    }
}
