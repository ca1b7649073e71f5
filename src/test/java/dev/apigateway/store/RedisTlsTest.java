package dev.apigateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apigateway.circuitbreaker.redis.RedisBreakerEventsSubscription;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import dev.apigateway.support.Poll;
import dev.apigateway.support.RawHttp;
import dev.apigateway.testsupport.TestCertificates;
import dev.apigateway.testsupport.RedisServers;
import dev.apigateway.testsupport.Resp;
import dev.apigateway.testsupport.TlsRedisServer;
import dev.apigateway.upstream.UpstreamService;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * TLS to Redis: a redis-server process speaking TLS with a certificate signed by a CA made in the test, and whole
 * gateways given only {@code REDIS_URL=rediss://...} and {@code REDIS_TLS_CA_FILE}, as an operator would. Trusting
 * that CA, a gateway limits exactly through the TLS port; trusting another CA, it starts, says in its health that
 * the store is unreachable and why, and answers in the fail mode at once; a CA file that does not exist stops the
 * start.
 */
class RedisTlsTest {

    private static final int CAPACITY = 3;

    private static TestCertificates certificates;
    private static TlsRedisServer redis;
    private static UpstreamService upstream;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create();
        redis = RedisServers.startTls(certificates);
        upstream = GatewayTestUpstream.get();
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
        if (certificates != null) {
            certificates.close();
        }
    }

    private static GatewayInstance gateway(String caFile, String failMode, String storeTimeout) {
        return GatewayInstance.start(
                "REDIS_URL=" + redis.url(),
                "REDIS_TLS_CA_FILE=" + caFile,
                "gateway.store-timeout=" + storeTimeout,
                "gateway.upstream-url=" + upstream.baseUrl(),
                "gateway.rate-limit.capacity=" + CAPACITY,
                "gateway.rate-limit.refill-rate=1",
                "gateway.rate-limit.refill-period=3600",
                "gateway.rate-limit.fail-mode=" + failMode);
    }

    @Test
    void trustingTheServersCaTheGatewayLimitsExactlyThroughTheTlsPort() throws Exception {
        // the TLS port speaks nothing else: what reaches Redis there went through TLS
        assertThatThrownBy(() -> Resp.once(redis.node().host(), redis.tlsPort(), "PING")).isInstanceOf(IOException.class);
        try (GatewayInstance gateway = gateway(certificates.caCertificate().toString(), "closed", "2s")) {
            assertThat(gateway.bean(StateStoreSelection.class).redis()).isTrue();
            LettuceConnectionFactory connections = (LettuceConnectionFactory) gateway.bean(RedisConnectionFactory.class);
            assertThat(connections.getClientConfiguration().isUseSsl()).isTrue();
            assertThat(connections.getClientConfiguration().isVerifyPeer()).as("the certificate is checked").isTrue();

            for (int i = 0; i < CAPACITY; i++) {
                RawHttp.Response ok = gateway.get("127.0.0.60", "/proxy/ok");
                assertThat(ok.status()).isEqualTo(200);
                assertThat(ok.header("RateLimit-Remaining")).isEqualTo(String.valueOf(CAPACITY - 1 - i));
            }
            RawHttp.Response limited = gateway.get("127.0.0.60", "/proxy/ok");
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.bodyText()).contains("\"rate_limited\"");
            assertThat(Long.parseLong(limited.header("Retry-After"))).isPositive();
            assertThat(redis.node().command("EXISTS", "api-gateway:rate-limit:{proxy:ip:127.0.0.60}")).isEqualTo(1L);

            assertThat(gateway.get("127.0.0.1", "/health/readiness").status()).isEqualTo(200);
            assertThat(gateway.bean(StoreHealthIndicator.class).health().getDetails()).containsEntry("reachable", true);
            // the breaker events subscription has a connection factory of its own: it speaks TLS with the same CA
            RedisBreakerEventsSubscription subscription = gateway.bean(RedisBreakerEventsSubscription.class);
            Poll.until(() -> subscription.listening() ? 1 : 0, 1, Duration.ofSeconds(10));
        }
    }

    @Test
    void trustingAnotherCaTheGatewayStartsAndSaysTheStoreIsUnreachableWithoutHanging() throws Exception {
        long starting = System.nanoTime();
        try (GatewayInstance gateway = gateway(certificates.otherCaCertificate().toString(), "closed", "500ms")) {
            System.out.println("untrusted CA, started in " + Duration.ofNanos(System.nanoTime() - starting));
            upstream.reset();
            long start = System.nanoTime();
            RawHttp.Response refused = gateway.get("127.0.0.61", "/proxy/ok");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.bodyText()).contains("\"store_unavailable\"");
            assertThat(Long.parseLong(refused.header("Retry-After"))).isPositive();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no hang").isLessThan(Duration.ofSeconds(5));
            assertThat(gateway.get("127.0.0.1", "/health/readiness").status()).isEqualTo(503);
            RawHttp.Response health = gateway.get("127.0.0.1", "/actuator/health/readiness");
            System.out.println("untrusted CA, readiness: " + health.bodyText());
            assertThat(health.bodyText()).contains("\"reachable\":false")
                    // the root cause, from the JDK's certificate check
                    .contains("unable to find valid certification path");
            assertThat(upstream.hits("/ok")).isZero();
        }
    }

    @Test
    void aCaFileThatDoesNotExistStopsTheStart() {
        assertThatThrownBy(() -> gateway("/nonexistent/redis-ca.pem", "local", "2s").close())
                .satisfies(e -> System.out.println("missing CA file: " + e))
                .hasMessageContaining("REDIS_TLS_CA_FILE").hasMessageContaining("/nonexistent/redis-ca.pem");
    }
}
