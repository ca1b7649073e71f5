package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.apigateway.circuitbreaker.BreakerRegistry;
import dev.apigateway.support.AbstractGatewayTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A client that goes away in the middle of its own request body is the client's failure, not the upstream's: it is
 * counted as a {@code 400 bad_request}, never as {@code upstream_unreachable}, and never as a failure of the route's
 * breaker (else a few aborted uploads from one client would open the breaker for everyone).
 */
class ClientAbortTest extends AbstractGatewayTest {

    private static final int ABORTS = 6;

    @Autowired
    MeterRegistry meters;

    @Autowired
    BreakerRegistry breakers;

    @Autowired
    CamelContext camel;

    @Test
    void aClientThatClosesMidBodyIsCountedAsItsOwnBadRequestAndNotAsAnUpstreamFailure() throws Exception {
        double badRequests = errors("bad_request");
        double unreachable = errors("upstream_unreachable");
        long failures = breakerFailures();

        for (int i = 0; i < ABORTS; i++) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /proxy/echo/upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: 1000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[64 * 1024]);
                out.flush();
            }
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> errors("bad_request") >= badRequests + ABORTS);
        assertThat(errors("bad_request")).isEqualTo(badRequests + ABORTS);
        assertThat(errors("upstream_unreachable")).isEqualTo(unreachable);
        assertThat(breakerFailures()).isEqualTo(failures);
        assertThat(get("/proxy/ok").statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatClosesWhileTheAnswerStreamsIsNeitherAGatewayErrorNorABreakerFailure() throws Exception {
        double internal = errors("internal_error");
        double unreachable = errors("upstream_unreachable");
        long failures = breakerFailures();
        long served = upstream.hits("/bytes/");

        for (int i = 0; i < ABORTS; i++) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("GET /proxy/bytes/20000000 HTTP/1.1\r\nHost: t\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                // the answer has started: read a little of it, then leave
                socket.getInputStream().readNBytes(32 * 1024);
            }
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.hits("/bytes/") == served + ABORTS);
        // every aborted exchange has ended in the gateway too: nothing left streaming into a closed connection
        await().atMost(Duration.ofSeconds(30)).until(() -> camel.getInflightRepository().size("proxy") == 0);
        assertThat(get("/proxy/ok").statusCode()).isEqualTo(200);
        assertThat(errors("internal_error")).isEqualTo(internal);
        assertThat(errors("upstream_unreachable")).isEqualTo(unreachable);
        assertThat(breakerFailures()).isEqualTo(failures);
    }

    private double errors(String code) {
        return GatewayCounts.errors(meters, "proxy", code);
    }

    private long breakerFailures() {
        return GatewayCounts.breakerFailures(breakers, "proxy");
    }
}
