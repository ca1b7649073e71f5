package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.support.AbstractGatewayTest;
import dev.apigateway.support.RawHttp;
import dev.apigateway.upstream.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request framing over raw sockets (issue 12.1): every ambiguous framing is answered {@code 400 bad_request} in
 * JSON and never forwarded, whether the gateway's check or Tomcat's own parser refuses it. One table, as the client
 * sees it.
 */
class RequestFramingTest extends AbstractGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO_CHUNKED = "5\r\nhello\r\n0\r\n\r\n";

    enum Outcome { REFUSED, FORWARDED_HELLO, FORWARDED_UNFOLDED }

    static Stream<Arguments> framings() {
        return Stream.of(
                row("Content-Length and Transfer-Encoding", Outcome.REFUSED,
                        "Content-Length: 3\nTransfer-Encoding: chunked", HELLO_CHUNKED),
                row("Transfer-Encoding before Content-Length", Outcome.REFUSED,
                        "Transfer-Encoding: chunked\nContent-Length: 5", HELLO_CHUNKED),
                row("two differing Content-Length", Outcome.REFUSED,
                        "Content-Length: 5\nContent-Length: 3", "hello"),
                row("two equal Content-Length", Outcome.REFUSED,
                        "Content-Length: 5\nContent-Length: 5", "hello"),
                row("a Content-Length list", Outcome.REFUSED, "Content-Length: 5, 3", "hello"),
                row("a signed Content-Length", Outcome.REFUSED, "Content-Length: +5", "hello"),
                row("chunked not the final coding", Outcome.REFUSED, "Transfer-Encoding: chunked, gzip", HELLO_CHUNKED),
                row("a coding before chunked", Outcome.REFUSED, "Transfer-Encoding: gzip, chunked", HELLO_CHUNKED),
                row("identity", Outcome.REFUSED, "Transfer-Encoding: identity", "hello"),
                row("an unknown coding", Outcome.REFUSED, "Transfer-Encoding: xchunked", HELLO_CHUNKED),
                row("chunked twice on two lines", Outcome.REFUSED,
                        "Transfer-Encoding: chunked\nTransfer-Encoding: chunked", HELLO_CHUNKED),
                row("NUL in a value", Outcome.REFUSED, "X-A: o\u0000ne", null),
                row("CR in a value", Outcome.REFUSED, "X-A: o\rne", null),
                row("NUL in a name", Outcome.REFUSED, "X-\u0000A: one", null),
                row("a space in a name", Outcome.REFUSED, "X A: one", null),
                row("a space before the colon", Outcome.REFUSED, "Content-Length : 5", "hello"),
                row("plain chunked (control)", Outcome.FORWARDED_HELLO, "Transfer-Encoding: chunked", HELLO_CHUNKED),
                row("chunked in capitals (control)", Outcome.FORWARDED_HELLO, "Transfer-Encoding: CHUNKED", HELLO_CHUNKED),
                row("plain Content-Length (control)", Outcome.FORWARDED_HELLO, "Content-Length: 5", "hello"),
                // Tomcat replaces an obs-fold with a space before anything else reads the field (RFC 9112 5.2
                // allows that instead of a 400): what reaches the upstream is one line, never the fold.
                row("obs-fold", Outcome.FORWARDED_UNFOLDED, "X-Folded: one\n two", null),
                row("obs-fold with a tab", Outcome.FORWARDED_UNFOLDED, "X-Folded: one\n\ttwo", null));
    }

    private static Arguments row(String name, Outcome outcome, String headers, String body) {
        return Arguments.of(name, outcome, headers, body);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framings")
    void ambiguousFramingIsRefusedBeforeAnythingIsForwarded(String name, Outcome outcome, String headers, String body)
            throws Exception {
        String method = body == null ? "GET" : "POST";
        RawHttp.Response response = RawHttp.exchange(port, method + " /proxy/echo HTTP/1.1\nHost: t\n" + headers
                + "\nConnection: close", body == null ? null : body.getBytes(StandardCharsets.ISO_8859_1));
        switch (outcome) {
            case REFUSED -> {
                assertThat(response.status()).as(name).isEqualTo(400);
                assertThat(response.header("Content-Type")).as(name).startsWith("application/json");
                JsonNode error = JSON.readTree(response.body());
                assertThat(error.get("error").asText()).as(name).isEqualTo("bad_request");
                assertThat(error.get("requestId").asText()).as(name).isNotBlank();
                assertThat(upstream.hits()).as(name).isZero();
            }
            case FORWARDED_HELLO -> {
                assertThat(response.status()).as(name).isEqualTo(200);
                RecordedRequest seen = upstream.lastRequest().orElseThrow();
                assertThat(seen.bodySha256()).as(name).isEqualTo(ProxyForwardingTest.sha256("hello".getBytes()));
                assertThat(seen.hasHeader("Content-Length") && seen.hasHeader("Transfer-Encoding")).isFalse();
            }
            case FORWARDED_UNFOLDED -> {
                assertThat(response.status()).as(name).isEqualTo(200);
                assertThat(upstream.lastRequest().orElseThrow().headerValues("X-Folded")).as(name)
                        .singleElement().satisfies(v -> assertThat(v).matches("one[ \t]two"));
            }
        }
    }

    @Test
    void aRefusedRequestClosesItsConnectionSoItsBodyIsNeverReadAsTheNextRequest() throws Exception {
        String smuggled = "GET /proxy/status/418 HTTP/1.1\r\nHost: t\r\n\r\n";
        String chunk = Integer.toHexString(smuggled.length()) + "\r\n" + smuggled + "\r\n0\r\n\r\n";
        String request = "POST /proxy/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + chunk + smuggled;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // everything the gateway sends on this connection, up to its close (a read timeout fails the test)
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String answer = all.toString(StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 400 ");
            assertThat(answer.split("HTTP/1.1 ", -1)).hasSize(2); // exactly one answer
        }
        assertThat(upstream.hits()).isZero();
    }
}
