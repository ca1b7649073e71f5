package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {

    private static Exchange exchange(String peer, boolean trusted, String clientIp) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(GatewayExchange.PEER, peer);
        exchange.setProperty(GatewayExchange.PEER_TRUSTED, trusted);
        exchange.setProperty(GatewayExchange.CLIENT_IP, clientIp);
        exchange.setProperty(GatewayExchange.ORIGINAL_SCHEME, "http");
        exchange.setProperty(GatewayExchange.ORIGINAL_HOST, "gw.internal");
        return exchange;
    }

    @Test
    void aTrustedProxysStatementsAreKeptAndTheGatewaysHopAppended() {
        Exchange exchange = exchange("10.0.0.5", true, "203.0.113.9");
        Message in = exchange.getMessage();
        in.setHeader("X-Forwarded-For", "203.0.113.9");
        in.setHeader("Forwarded", "for=203.0.113.9;proto=https;host=shop.example");
        in.setHeader("X-Forwarded-Proto", "https");
        in.setHeader("X-Forwarded-Host", "shop.example");
        in.setHeader("X-Forwarded-Port", "443");
        in.setHeader("X-Forwarded-Prefix", "/api");
        in.setHeader("X-Real-IP", "203.0.113.9");

        ForwardedHeaders.apply(exchange, in);

        assertThat(in.getHeader("X-Forwarded-For")).isEqualTo("203.0.113.9, 10.0.0.5");
        assertThat(in.getHeader("Forwarded"))
                .isEqualTo("for=203.0.113.9;proto=https;host=shop.example, for=10.0.0.5;host=gw.internal;proto=http");
        assertThat(in.getHeader("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(in.getHeader("X-Forwarded-Host")).isEqualTo("shop.example");
        assertThat(in.getHeader("X-Forwarded-Port")).isEqualTo("443");
        assertThat(in.getHeader("X-Forwarded-Prefix")).isEqualTo("/api");
        assertThat(in.getHeader("X-Real-IP")).isEqualTo("203.0.113.9");
    }

    @Test
    void aTrustedProxyThatSentNothingGetsTheGatewaysView() {
        Exchange exchange = exchange("10.0.0.5", true, "203.0.113.9");
        Message in = exchange.getMessage();
        in.setHeader("X-Forwarded-For", "203.0.113.9");

        ForwardedHeaders.apply(exchange, in);

        assertThat(in.getHeader("Forwarded")).isEqualTo("for=10.0.0.5;host=gw.internal;proto=http");
        assertThat(in.getHeader("X-Real-IP")).isEqualTo("203.0.113.9");
        assertThat(in.getHeader("X-Forwarded-Port")).isEqualTo("80");
        assertThat(in.getHeader("X-Forwarded-Prefix")).isNull();
    }

    @Test
    void anUntrustedPeersClaimsAreReplacedAndIpv6IsQuoted() {
        Exchange exchange = exchange("::1", false, "::1");
        Message in = exchange.getMessage();
        in.setHeader("forwarded", "for=1.2.3.4");
        in.setHeader("x-real-ip", "1.2.3.4");
        in.setHeader("x-forwarded-prefix", "/evil");

        ForwardedHeaders.apply(exchange, in);

        assertThat(in.getHeader("Forwarded")).isEqualTo("for=\"[::1]\";host=gw.internal;proto=http");
        assertThat(in.getHeader("X-Real-IP")).isEqualTo("::1");
        assertThat(in.getHeader("X-Forwarded-Prefix")).isNull();
    }

    @Test
    void thePortComesFromHostOrTheScheme() {
        assertThat(ForwardedHeaders.port("h:8080", "http")).isEqualTo("8080");
        assertThat(ForwardedHeaders.port("[::1]:9", "http")).isEqualTo("9");
        assertThat(ForwardedHeaders.port("[::1]", "https")).isEqualTo("443");
        assertThat(ForwardedHeaders.port(null, "http")).isEqualTo("80");
        assertThat(ForwardedHeaders.port("h:x", "http")).isEqualTo("80");
    }
}
