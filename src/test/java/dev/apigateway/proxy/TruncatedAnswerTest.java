package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream that dies in the middle of its body after the gateway has sent the answer's head: the client must see a
 * broken answer (the connection closed without the terminating chunk, or short of its Content-Length), never a
 * short body that looks whole (issue 17 item 4). Read with a raw socket, so nothing hides the framing.
 */
class TruncatedAnswerTest extends AbstractFaultyUpstreamTest {

    @BeforeEach
    void armUpstreams() {
        upstreams.dieNow = new CountDownLatch(1);
    }

    @AfterEach
    void releaseUpstreams() {
        upstreams.dieNow.countDown();
    }

    @Test
    void chunkedAnswerCutByTheUpstreamEndsWithoutTheTerminatingChunk() throws Exception {
        try (Socket client = request("/diesmidchunk/x")) {
            InputStream in = client.getInputStream();
            String head = FaultyUpstream.readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("Transfer-Encoding: chunked");
            assertThat(readUntil(in, "hello\r\n")).endsWith("5\r\nhello\r\n");

            upstreams.dieNow.countDown();

            String rest = FaultyUpstream.readToEnd(in);
            assertThat(rest).as("what followed the first chunk").doesNotContain("0\r\n\r\n");
        }
    }

    @Test
    void lengthDelimitedAnswerCutByTheUpstreamIsClosedShortOfItsLength() throws Exception {
        try (Socket client = request("/diesmidlength/x")) {
            InputStream in = client.getInputStream();
            String head = FaultyUpstream.readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("Content-Length: 1000");
            assertThat(readUntil(in, "x".repeat(100))).hasSize(100);

            upstreams.dieNow.countDown();

            // closed, not left waiting for bytes that never come (the socket timeout would fail the test)
            assertThat(FaultyUpstream.readToEnd(in)).isEmpty();
        }
    }

    /** A keep-alive request: the gateway must close the connection itself. */
    private Socket request(String path) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return socket;
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder read = new StringBuilder();
        int c;
        while (read.indexOf(end) < 0 && (c = in.read()) != -1) {
            read.append((char) c);
        }
        return read.toString();
    }
}
