package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.support.AbstractGatewayTest;
import dev.apigateway.support.RawHttp;
import dev.apigateway.upstream.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Request bodies are forwarded as bytes whatever their type says (17.3, 17.6); the gateway's errors are UTF-8. */
class RequestBodyBytesTest extends AbstractGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aMultipartUploadReachesTheUpstreamByteForByte() throws Exception {
        byte[] file = new byte[300_000];
        new Random(17).nextBytes(file);
        String boundary = "----gateway-test-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"blob.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.write(file);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] sent = body.toByteArray();

        RawHttp.Response response = RawHttp.exchange(port, "POST /proxy/echo/upload HTTP/1.1\nHost: t\nConnection: close\n"
                + "Content-Type: multipart/form-data; boundary=" + boundary + "\nContent-Length: " + sent.length, sent);

        assertThat(response.status()).isEqualTo(200);
        RecordedRequest seen = upstream.lastRequest().orElseThrow();
        assertThat(seen.bodyLength()).isEqualTo(sent.length);
        assertThat(seen.bodySha256()).isEqualTo(ProxyForwardingTest.sha256(sent));
        assertThat(JSON.readTree(response.body()).get("bodySha256").asText()).isEqualTo(ProxyForwardingTest.sha256(sent));
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain; charset=@", "text/plain; charset=\"", "text/plain; charset=no-such-charset",
            "application/json; charset=utf-16", "text/plain; charset=", "text/plain;;;charset=x=y"})
    void anyCharsetInTheContentTypeForwardsTheBodyUnchanged(String contentType) throws Exception {
        byte[] body = "h\u00e9llo \u20ac".getBytes(StandardCharsets.UTF_8);
        RawHttp.Response response = RawHttp.exchange(port, "POST /proxy/echo HTTP/1.1\nHost: t\nConnection: close\n"
                + "Content-Type: " + contentType + "\nContent-Length: " + body.length, body);
        assertThat(response.status()).as(contentType).isEqualTo(200);
        RecordedRequest seen = upstream.lastRequest().orElseThrow();
        assertThat(seen.bodySha256()).as(contentType).isEqualTo(ProxyForwardingTest.sha256(body));
        assertThat(seen.header("Content-Type")).as(contentType).isEqualTo(contentType);
    }

    // Two cases only: each is an upstream timeout, and five of them in a minute would open the shared context's breaker.
    @ParameterizedTest
    @ValueSource(strings = {"utf-16", "@"})
    void theGatewaysOwnErrorsAreUtf8JsonWhateverCharsetTheClientSent(String charset) throws Exception {
        byte[] body = "x".getBytes(StandardCharsets.UTF_8);
        RawHttp.Response response = RawHttp.exchange(port, "POST /proxy/delay/3000 HTTP/1.1\nHost: t\nConnection: close\n"
                + "X-Request-Id: caf\u00e9-\u00e9t\u00e9\n"
                + "Content-Type: text/plain; charset=" + charset + "\nContent-Length: " + body.length, body);
        assertThat(response.status()).as(charset).isEqualTo(504);
        JsonNode error = JSON.readTree(new String(response.body(), StandardCharsets.UTF_8));
        assertThat(error.get("error").asText()).as(charset).isEqualTo("upstream_timeout");
        assertThat(response.header("Content-Type")).as(charset).startsWith("application/json");
    }
}
