package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.AbstractGatewayTest;
import dev.apigateway.support.RawHttp;
import dev.apigateway.upstream.RecordedRequest;
import org.junit.jupiter.api.Test;

/** Connection tokens (17.1) and forwarding headers from an untrusted peer (17.2), as the upstream and client see them. */
class ForwardingHeadersTest extends AbstractGatewayTest {

    @Test
    void aClientsConnectionTokensCannotStripHeadersTheGatewaySets() throws Exception {
        RawHttp.Response response = RawHttp.exchange(port, """
                GET /proxy/echo HTTP/1.1
                Host: gateway.test
                Connection: close, X-Forwarded-For, X-Request-Id, X-Forwarded-Proto, X-Forwarded-Host, Forwarded, X-Real-IP
                X-Forwarded-For: 203.0.113.7
                X-Request-Id: client-id-1
                """);
        assertThat(response.status()).isEqualTo(200);
        RecordedRequest seen = upstream.lastRequest().orElseThrow();
        // the client's own copies of the named headers are dropped, the gateway's are all there
        assertThat(seen.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(seen.header("X-Request-Id")).isEqualTo(response.header("X-Request-Id")).isNotBlank();
        assertThat(seen.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(seen.header("X-Forwarded-Host")).isEqualTo("gateway.test");
        assertThat(seen.header("X-Real-IP")).isEqualTo("127.0.0.1");
        assertThat(seen.header("Forwarded")).isEqualTo("for=127.0.0.1;host=gateway.test;proto=http");
    }

    @Test
    void aClientsConnectionTokensDoNotStripTheUpstreamsAnswerHeaders() throws Exception {
        RawHttp.Response response = RawHttp.exchange(port, """
                GET /proxy/status/200?header=X-Upstream:yes&header=Cache-Control:no-store HTTP/1.1
                Host: t
                Connection: close, X-Upstream, Cache-Control
                X-Upstream: from-client
                """);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("X-Upstream")).isEqualTo("yes");
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
        assertThat(upstream.lastRequest().orElseThrow().hasHeader("X-Upstream")).isFalse();
    }

    @Test
    void theUpstreamsConnectionTokensStripOnlyItsOwnAnswerHeaders() throws Exception {
        RawHttp.Response response = RawHttp.exchange(port, """
                GET /proxy/status/200?header=Connection:X-Hop,X-Request-Id,RateLimit-Limit&header=X-Hop:secret&header=X-Kept:yes HTTP/1.1
                Host: t
                Connection: close
                X-Request-Id: kept-id-1
                """);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("X-Hop")).isNull();
        assertThat(response.header("X-Kept")).isEqualTo("yes");
        // headers the gateway itself puts on the answer are not the upstream's to remove
        assertThat(response.header("X-Request-Id")).isEqualTo("kept-id-1");
        assertThat(response.header("RateLimit-Limit")).isNotNull();
        // nor do the upstream's tokens reach back into the request
        assertThat(upstream.lastRequest().orElseThrow().header("X-Request-Id")).isEqualTo("kept-id-1");
    }

    @Test
    void forwardingHeadersFromAnUntrustedPeerAreDroppedAndRegenerated() throws Exception {
        RawHttp.Response response = RawHttp.exchange(port, """
                GET /proxy/echo HTTP/1.1
                Host: gateway.test:8443
                Connection: close
                Forwarded: for=198.51.100.1;proto=https;host=forged.example
                X-Real-IP: 198.51.100.2
                X-Forwarded-Port: 443
                X-Forwarded-Prefix: /forged
                X-Forwarded-Proto: https
                X-Forwarded-Host: forged.example
                """);
        assertThat(response.status()).isEqualTo(200);
        RecordedRequest seen = upstream.lastRequest().orElseThrow();
        assertThat(seen.headerValues("Forwarded")).containsExactly("for=127.0.0.1;host=\"gateway.test:8443\";proto=http");
        assertThat(seen.headerValues("X-Real-IP")).containsExactly("127.0.0.1");
        assertThat(seen.headerValues("X-Forwarded-Port")).containsExactly("8443");
        assertThat(seen.hasHeader("X-Forwarded-Prefix")).isFalse();
        assertThat(seen.headerValues("X-Forwarded-Proto")).containsExactly("http");
        assertThat(seen.headerValues("X-Forwarded-Host")).containsExactly("gateway.test:8443");
    }
}
