package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.support.AbstractGatewayTest;
import dev.apigateway.support.RawHttp;
import dev.apigateway.upstream.RecordedRequest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ProxyForwardingTest extends AbstractGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void methodPathQueryBodyAndEndToEndHeadersReachTheUpstreamUnchanged() throws Exception {
        byte[] body = new byte[4096];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31); // binary, not valid UTF-8
        }
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                        gateway("/proxy/echo/a%20b/%C3%A9?x=1&x=2&y=%2F%26&empty="))
                .method("PUT", HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/octet-stream")
                .header("X-Custom", "one")
                .header("X-Custom", "two")
                .header("Authorization", "Bearer secret-token"));

        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest seen = upstream.lastRequest().orElseThrow();
        assertThat(seen.method()).isEqualTo("PUT");
        assertThat(seen.rawPath()).isEqualTo("/echo/a%20b/%C3%A9");
        assertThat(seen.rawQuery()).isEqualTo("x=1&x=2&y=%2F%26&empty=");
        assertThat(seen.bodyLength()).isEqualTo(body.length);
        assertThat(seen.bodySha256()).isEqualTo(sha256(body));
        // repeated field lines arrive combined, in order (RFC 9110 5.3)
        assertThat(seen.headerValues("X-Custom")).containsExactly("one, two");
        assertThat(seen.header("Authorization")).isEqualTo("Bearer secret-token");
        assertThat(seen.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(seen.header("Content-Length")).isEqualTo(String.valueOf(body.length));
        // query parameters are not turned into headers
        assertThat(seen.hasHeader("x")).isFalse();
        assertThat(seen.hasHeader("y")).isFalse();
    }

    @Test
    void upstreamStatusHeadersAndBodyComeBackUnchanged() throws Exception {
        HttpResponse<String> notFound = get("/proxy/status/404?header=X-Upstream:yes");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.headers().firstValue("X-Upstream")).hasValue("yes");
        assertThat(JSON.readTree(notFound.body()).get("status").asInt()).isEqualTo(404);

        HttpResponse<String> serverError = get("/proxy/status/500");
        assertThat(serverError.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(serverError.body()).get("status").asInt()).isEqualTo(500);
        assertThat(serverError.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
    }

    @Test
    void anUpstream503Or429IsAnsweredOnceAndNeverRetried() throws Exception {
        assertThat(get("/proxy/status/503").statusCode()).isEqualTo(503);
        assertThat(get("/proxy/status/429?header=Retry-After:1").statusCode()).isEqualTo(429);
        assertThat(upstream.hits("/status")).isEqualTo(2);
    }

    @Test
    void theGatewayAddsNoAcceptEncodingAndPassesCompressedBodiesThrough() throws Exception {
        RawHttp.Response response = RawHttp.exchange(port, """
                GET /proxy/echo HTTP/1.1
                Host: t
                Connection: close
                """);
        assertThat(response.status()).isEqualTo(200);
        assertThat(upstream.lastRequest().orElseThrow().hasHeader("Accept-Encoding")).isFalse();
    }

    @Test
    void clientRequestHeadersAreNotEchoedIntoTheAnswer() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(gateway("/proxy/ok"))
                .header("Authorization", "Bearer secret-token")
                .header("X-Secret", "s3"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Authorization")).isEmpty();
        assertThat(response.headers().firstValue("X-Secret")).isEmpty();
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        HttpResponse<String> response = get("/proxy/redirect?to=/ok");
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValue("/ok");
        assertThat(upstream.hits()).isEqualTo(1);
    }

    @Test
    void hopByHopHeadersAndThoseNamedInConnectionAreNotForwarded() throws Exception {
        RawHttp.Response response = RawHttp.exchange(port, """
                GET /proxy/echo HTTP/1.1
                Host: gateway.test
                Connection: close, X-Hop-Secret
                X-Hop-Secret: must-not-pass
                Keep-Alive: timeout=5
                TE: trailers
                Trailer: X-Checksum
                Proxy-Authorization: Basic Zm9vOmJhcg==
                Proxy-Connection: keep-alive
                Upgrade: websocket
                X-End-To-End: passes
                """);
        assertThat(response.status()).isEqualTo(200);
        RecordedRequest seen = upstream.lastRequest().orElseThrow();
        assertThat(seen.header("X-End-To-End")).isEqualTo("passes");
        for (String hop : new String[] {"X-Hop-Secret", "Keep-Alive", "TE", "Trailer", "Proxy-Authorization",
                "Proxy-Connection", "Upgrade"}) {
            assertThat(seen.hasHeader(hop)).as(hop).isFalse();
        }
        assertThat(seen.headerValues("Connection")).noneMatch(v -> v.contains("X-Hop-Secret"));
    }

    @Test
    void hopByHopResponseHeadersAreNotReturned() throws Exception {
        RawHttp.Response response = RawHttp.exchange(port, """
                GET /proxy/status/200?header=Keep-Alive:timeout%3D99&header=Proxy-Authenticate:Basic&header=X-Kept:yes&header=Upgrade:h2c HTTP/1.1
                Host: gateway.test
                Connection: close
                """);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("X-Kept")).isEqualTo("yes");
        assertThat(response.header("Keep-Alive")).isNull();
        assertThat(response.header("Proxy-Authenticate")).isNull();
        assertThat(response.header("Upgrade")).isNull();
    }

    @Test
    void forwardedHeadersAreAppendedAndSetByTheGateway() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(gateway("/proxy/echo"))
                .header("X-Forwarded-For", "203.0.113.9")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "forged.example"));
        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest seen = upstream.lastRequest().orElseThrow();
        assertThat(seen.header("X-Forwarded-For")).isEqualTo("203.0.113.9, 127.0.0.1");
        // the peer is not a trusted proxy: its claims about scheme and host are replaced
        assertThat(seen.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(seen.header("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + port);
    }

    @Test
    void requestIdIsKeptWhenSentAndMadeWhenAbsent() throws Exception {
        HttpResponse<String> kept = send(HttpRequest.newBuilder(gateway("/proxy/ok")).header("X-Request-Id", "abc-123"));
        assertThat(kept.headers().allValues("X-Request-Id")).containsExactly("abc-123");
        assertThat(upstream.lastRequest().orElseThrow().header("X-Request-Id")).isEqualTo("abc-123");

        HttpResponse<String> made = get("/proxy/ok");
        String id = made.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(upstream.lastRequest().orElseThrow().header("X-Request-Id")).isEqualTo(id);

        HttpResponse<String> notFound = send(HttpRequest.newBuilder(gateway("/nowhere")).header("X-Request-Id", "nf-1"));
        assertThat(notFound.headers().firstValue("X-Request-Id")).hasValue("nf-1");
        assertThat(JSON.readTree(notFound.body()).get("requestId").asText()).isEqualTo("nf-1");
    }

    @Test
    void camelControlHeadersFromClientsAreNeitherHonouredNorForwarded() throws Exception {
        String form = "CamelHttpUri=http%3A%2F%2F127.0.0.1%3A1%2F&CamelHttpPath=%2Fstatus%2F500&a=b";
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                        gateway("/proxy/echo/real?CamelHttpPath=/status/500&camelhttpmethod=DELETE&CamelHttpUri=http://127.0.0.1:1/"))
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("CamelHttpUri", "http://127.0.0.1:1/steal")
                .header("camelhttppath", "/status/500")
                .header("CAMELHTTPMETHOD", "DELETE")
                .header("CamelHttpQuery", "evil=1")
                .header("CamelHttpRawQuery", "evil=2")
                .header("CamelHttpResponseCode", "299"));

        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest seen = upstream.lastRequest().orElseThrow();
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.rawPath()).isEqualTo("/echo/real");
        assertThat(seen.rawQuery()).isEqualTo("CamelHttpPath=/status/500&camelhttpmethod=DELETE&CamelHttpUri=http://127.0.0.1:1/");
        assertThat(seen.bodySha256()).isEqualTo(sha256(form.getBytes()));
        assertThat(seen.headers().keySet()).noneMatch(name -> name.toLowerCase().startsWith("camel"));
        assertThat(seen.hasHeader("a")).isFalse();
        assertThat(upstream.hits()).isEqualTo(1);
    }

    @Test
    void formBodiesOfPutPatchAndDeleteStreamThroughUnread() throws Exception {
        String form = "a=1&b=two&CamelHttpMethod=GET";
        for (String method : new String[] {"PUT", "PATCH", "POST"}) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(gateway("/proxy/echo"))
                    .method(method, HttpRequest.BodyPublishers.ofString(form))
                    .header("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(response.statusCode()).as(method).isEqualTo(200);
            RecordedRequest seen = upstream.lastRequest().orElseThrow();
            assertThat(seen.method()).isEqualTo(method);
            assertThat(seen.bodySha256()).as(method).isEqualTo(sha256(form.getBytes()));
        }
    }

    @Test
    void oneClientsCookiesNeverRideOnAnotherClientsRequest() throws Exception {
        HttpResponse<String> setting = get("/proxy/cookies/set?session=client-a");
        assertThat(setting.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("session=client-a"));

        HttpResponse<String> other = get("/proxy/cookies");
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(upstream.lastRequest().orElseThrow().hasHeader("Cookie")).isFalse();
        assertThat(JSON.readTree(other.body()).get("cookie").isNull()).isTrue();
    }

    @Test
    void pathsThatEscapeTheUpstreamBasePathAreRefusedAndNeverForwarded() throws Exception {
        for (String path : new String[] {"/proxy/../admin", "/proxy/a/%2e%2e/admin", "/proxy/%2E%2E/admin",
                "/proxy/a/%252e%252e/admin", "/proxy/a/%25252e%25252e/admin", "/proxy/a/.%2e/admin",
                "/proxy/a/..%5cadmin", "/proxy/./admin"}) {
            RawHttp.Response response = RawHttp.exchange(port, "GET " + path + " HTTP/1.1\nHost: t\nConnection: close");
            assertThat(response.status()).as(path).isEqualTo(400);
            JsonNode error = JSON.readTree(response.body());
            assertThat(error.get("error").asText()).as(path).isEqualTo("bad_request");
            assertThat(response.header("Content-Type")).as(path).startsWith("application/json");
        }
        assertThat(upstream.hits()).isZero();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
