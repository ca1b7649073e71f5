package dev.apigateway.support;

import dev.apigateway.upstream.UpstreamService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway as users run it (Tomcat on a free port, the real Camel routes, the in-process store) in front of the
 * real upstream-service over loopback. Subclasses share one application context.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.state-store=memory",
        "gateway.upstream-timeout=1s",
        "gateway.max-request-body-bytes=62914560",
        "gateway.routes-dir=target/test-routes-empty",
        "logging.level.dev.apigateway.events=ERROR"
})
public abstract class AbstractGatewayTest {

    protected static final long MAX_BODY = 62_914_560L;

    protected final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    @LocalServerPort
    protected int port;

    /** The actuator's port (Prometheus, the actuator's health, the operator's views). */
    @LocalManagementPort
    protected int managementPort;

    protected UpstreamService upstream;

    @DynamicPropertySource
    static void upstreamUrl(DynamicPropertyRegistry registry) {
        registry.add("gateway.upstream-url", () -> GatewayTestUpstream.get().baseUrl());
    }

    @BeforeEach
    void resetUpstream() {
        upstream = GatewayTestUpstream.get();
        upstream.reset();
    }

    protected URI gateway(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    protected HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway(pathAndQuery)).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code GET} on the management port. */
    protected HttpResponse<String> management(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + pathAndQuery))
                .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
