package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.support.AbstractGatewayTest;
import dev.apigateway.support.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What reaches the upstream for paths with encoded bytes, path parameters and suspicious segments (12.2, 17.5). */
class RequestPathTest extends AbstractGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"/proxy/%C3%A9/b%25", "/proxy/b%25", "/proxy/%zz", "/proxy/a%2", "/proxy/%", "/proxy/%252",
            "/proxy/..;/echo", "/proxy/.;x/echo", "/proxy/;x/echo", "/proxy/%2e/echo", "/proxy/a/%2e%2e;x/echo"})
    void malformedEncodingsAndSuspiciousSegmentsAre400InJsonAndNeverForwarded(String path) throws Exception {
        RawHttp.Response response = RawHttp.exchange(port, "GET " + path + " HTTP/1.1\nHost: t\nConnection: close");
        assertThat(response.status()).as(path).isEqualTo(400);
        assertThat(response.header("Content-Type")).as(path).startsWith("application/json");
        assertThat(JSON.readTree(response.body()).get("error").asText()).as(path).isEqualTo("bad_request");
        assertThat(upstream.hits()).as(path).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/%70roxy/echo/admin|/echo/admin",
            "/proxy;x/echo/y|/echo/y",
            "/proxy;jsessionid=1/echo|/echo",
            "/proxy/echo/%C3%A9/a%20b|/echo/%C3%A9/a%20b",
            "/proxy/echo/a;v=1/b|/echo/a;v=1/b"})
    void theUpstreamGetsThePathBelowTheRouteAsTheContainerMatchedIt(String path, String forwarded) throws Exception {
        RawHttp.Response response = RawHttp.exchange(port, "GET " + path + " HTTP/1.1\nHost: t\nConnection: close");
        assertThat(response.status()).as(path).isEqualTo(200);
        assertThat(upstream.lastRequest().orElseThrow().rawPath()).as(path).isEqualTo(forwarded);
    }

    @Test
    void theErrorPathAskedForDirectlyIs404NotA500() throws Exception {
        for (String method : new String[] {"GET", "PUT", "HEAD"}) {
            RawHttp.Response response = RawHttp.exchange(port, method + " /error HTTP/1.1\nHost: t\nConnection: close");
            assertThat(response.status()).as(method).isEqualTo(404);
        }
    }
}
