package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.support.AbstractGatewayTest;
import dev.apigateway.support.RawHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The answers the gateway makes itself, as the contract's table lists them. */
class GatewayAnswersTest extends AbstractGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void upstreamSlowerThanTheTimeoutIs504() throws Exception {
        HttpResponse<String> response = get("/proxy/delay/3000");
        assertError(response, 504, "upstream_timeout");
    }

    @Test
    void unknownPathIs404NotFoundInJson() throws Exception {
        HttpResponse<String> response = get("/no/such/route");
        assertError(response, 404, "not_found");
        assertThat(upstream.hits()).isZero();
    }

    @Test
    void bodyOverTheLimitWithContentLengthIs413AndTheUpstreamIsNotCalled() throws Exception {
        RawHttp.Response response = RawHttp.exchange(port, """
                POST /proxy/echo HTTP/1.1
                Host: t
                Content-Type: application/octet-stream
                Content-Length: %d
                Connection: close
                """.formatted(MAX_BODY + 1), new byte[1024]);
        assertThat(response.status()).isEqualTo(413);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("payload_too_large");
        assertThat(upstream.hits()).isZero();
    }

    @Test
    void chunkedBodyThatGrowsOverTheLimitIs413AndNeverArrivesWhole() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(gateway("/proxy/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(MAX_BODY + 65_536))));
        assertError(response, 413, "payload_too_large");
        assertThat(upstream.requests()).noneMatch(r -> r.bodyLength() > MAX_BODY);
    }

    @Test
    void healthAnswersWithoutTouchingTheUpstream() throws Exception {
        HttpResponse<String> liveness = get("/health");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(liveness.body()).get("status").asText()).isEqualTo("UP");
        HttpResponse<String> readiness = get("/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(management("/actuator/health").statusCode()).isEqualTo(200);
        HttpResponse<String> prometheus = management("/actuator/prometheus");
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("jvm_memory_used_bytes");
        assertThat(upstream.hits()).isZero();
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
        assertThat(body.get("requestId").asText())
                .isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.");
    }

    /** A body of zeros, made as it is read. */
    static final class ZeroStream extends java.io.InputStream {
        private long remaining;

        ZeroStream(long size) {
            this.remaining = size;
        }

        @Override
        public int read() {
            if (remaining <= 0) {
                return -1;
            }
            remaining--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            remaining -= n;
            return n;
        }
    }
}
