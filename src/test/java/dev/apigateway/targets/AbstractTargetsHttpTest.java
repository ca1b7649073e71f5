package dev.apigateway.targets;

import dev.apigateway.testsupport.MutableClock;
import dev.apigateway.upstream.UpstreamService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.junit.jupiter.api.AfterAll;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One gateway (the in-process store, a driven clock) in front of real upstream servers on loopback, for the tests of
 * several targets. {@code /proxy} balances over three servers weighted 3:1:1; each test adds its own route from the
 * template, over servers of its own, so that the targets' state of one test does not reach another.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.state-store=memory",
        "gateway.rate-limit.capacity=1000000",
        "gateway.circuit-breaker.failure-threshold=100000",
        "gateway.upstream-timeout=2",
        "gateway.upstream-ejection-consecutive-failures=5",
        "gateway.upstream-ejection-time=30",
        "gateway.routes-dir=target/test-routes-empty",
        "logging.level.dev.apigateway.events=ERROR"
})
@Import(AbstractTargetsHttpTest.DrivenTime.class)
abstract class AbstractTargetsHttpTest {

    static final MutableClock CLOCK = new MutableClock(Instant.ofEpochMilli(1_700_000_000_000L));
    /** The three targets of {@code /proxy}: up for the whole test run, as the gateway's context is cached. */
    static final UpstreamService A = UpstreamService.start("127.0.0.1", 0, 16);
    static final UpstreamService B = UpstreamService.start("127.0.0.1", 0, 16);
    static final UpstreamService C = UpstreamService.start("127.0.0.1", 0, 16);
    private static final List<UpstreamService> STARTED = new ArrayList<>();

    @TestConfiguration
    static class DrivenTime {
        @Bean
        Clock testClock() {
            return CLOCK;
        }
    }

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) {
        registry.add("gateway.upstream-url", () -> A.baseUrl() + ";weight=3," + B.baseUrl() + "," + C.baseUrl());
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    CamelContext camel;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterAll
    static void stopUpstreams() {
        STARTED.forEach(UpstreamService::close);
        STARTED.clear();
    }

    void addRoute(String id, String path, String upstreamUrl, String... more) throws Exception {
        Map<String, Object> params = new HashMap<>(Map.of("path", path, "upstreamUrl", upstreamUrl));
        for (int i = 0; i + 1 < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        camel.getCamelContextExtension().getContextPlugin(Model.class).addRouteFromTemplate(id, "gateway-route", params);
    }

    /** A server of the test's own, closed after the class. */
    static UpstreamService start(int port) {
        UpstreamService u = UpstreamService.start("127.0.0.1", port, 16);
        STARTED.add(u);
        return u;
    }

    static String label(UpstreamService u) {
        return "127.0.0.1:" + u.port();
    }

    /** A loopback port nothing listens on: connecting to it is refused. */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    URI gateway(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(gateway(path)));
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
