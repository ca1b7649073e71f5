package dev.apigateway.routes;

import static dev.apigateway.routes.RouteFileTestSupport.await;
import static dev.apigateway.routes.RouteFileTestSupport.call;
import static dev.apigateway.routes.RouteFileTestSupport.status;
import static dev.apigateway.routes.RouteFileTestSupport.templated;
import static dev.apigateway.routes.RouteFileTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.AbstractGatewayTest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Route files added, changed, broken and removed while the gateway runs: real files, real HTTP, 5 s deadlines. */
class RouteFilesReloadTest extends AbstractGatewayTest {

    private static final Path DIR = RouteFileTestSupport.newRoutesDir("gateway-routes");

    @org.junit.jupiter.api.extension.RegisterExtension
    final RouteFileTestSupport.LogLines logs = new RouteFileTestSupport.LogLines();

    @org.springframework.beans.factory.annotation.Autowired
    private org.apache.camel.CamelContext camel;

    @org.springframework.beans.factory.annotation.Autowired
    private RouteSettingsRegistry registry;

    @DynamicPropertySource
    static void routesDir(DynamicPropertyRegistry registry) {
        registry.add("gateway.routes-dir", DIR::toString);
    }

    private String upstreamUrl() {
        return upstream.baseUrl();
    }

    @Test
    void templatedFileServesWithinFiveSecondsWithItsOwnLimitAndBreaker() throws Exception {
        write(DIR, "limited.yaml", templated("limited", "/limited", upstreamUrl(),
                "rateLimitCapacity", "3", "rateLimitRefillRate", "1", "rateLimitRefillPeriodSeconds", "3600",
                "rateLimitKeyHeader", "X-Api-Key", "circuitBreakerFailureThreshold", "2"));
        await(port, "/limited/ok", status(200), "X-Api-Key", "probe");

        for (int i = 0; i < 3; i++) {
            assertThat(call(port, "/limited/ok", "X-Api-Key", "k1").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = call(port, "/limited/ok", "X-Api-Key", "k1");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("\"rate_limited\"");
        assertThat(limited.headers().firstValue("RateLimit-Limit")).hasValue("3");
        // the default route keeps the global limit
        for (int i = 0; i < 5; i++) {
            assertThat(call(port, "/proxy/ok").statusCode()).isEqualTo(200);
        }

        // its own breaker: two failures open it, /proxy is not affected
        assertThat(call(port, "/limited/status/500", "X-Api-Key", "k2").statusCode()).isEqualTo(500);
        assertThat(call(port, "/limited/status/500", "X-Api-Key", "k2").statusCode()).isEqualTo(500);
        long hits = upstream.hits();
        HttpResponse<String> open = call(port, "/limited/ok", "X-Api-Key", "k3");
        assertThat(open.statusCode()).isEqualTo(503);
        assertThat(open.body()).contains("\"circuit_open\"");
        assertThat(upstream.hits()).isEqualTo(hits);
        assertThat(call(port, "/proxy/ok").statusCode()).isEqualTo(200);

        Files.delete(DIR.resolve("limited.yaml"));
        HttpResponse<String> gone = await(port, "/limited/ok", status(404), "X-Api-Key", "k4");
        assertThat(gone.body()).contains("\"not_found\"");
    }

    @Test
    void changingTheFileTakesEffectAndDeletingItAnswers404() throws Exception {
        write(DIR, "change.yaml", templated("change", "/change", upstreamUrl()));
        await(port, "/change/ok", status(200));

        write(DIR, "change.yaml", templated("change", "/change", "http://127.0.0.1:1"));
        HttpResponse<String> unreachable = await(port, "/change/ok", status(502));
        assertThat(unreachable.body()).contains("\"upstream_unreachable\"");

        write(DIR, "change.yaml", templated("change", "/change", upstreamUrl(), "rateLimitCapacity", "7"));
        // the route's bucket outlives the reload (same route, same client): only the limit changes
        await(port, "/change/ok", r -> r.headers().firstValue("RateLimit-Limit").orElse("").equals("7"));

        Files.delete(DIR.resolve("change.yaml"));
        HttpResponse<String> gone = await(port, "/change/ok", status(404));
        assertThat(gone.body()).contains("\"not_found\"");
        logs.await("route_file_removed", "change.yaml");
    }

    @Test
    void fullRouteWithItsOwnStepsKeepsLimiterBreakerAndErrorAnswers() throws Exception {
        // no routeConfigurationId: the loader gives it the shared error answers
        write(DIR, "full.yaml", """
                - route:
                    id: full
                    from:
                      uri: "platform-http:/full?matchOnUriPrefix=true"
                      steps:
                        - process:
                            ref: gatewayRateLimit
                        - setHeader:
                            name: X-Team
                            constant: payments
                        - process:
                            ref: gatewayCircuitBreaker
                        - process:
                            ref: gatewayForward
                        - to: "%s?{{gateway.upstream-base-options}}&responseTimeout=300"
                """.formatted(upstreamUrl()));
        HttpResponse<String> ok = await(port, "/full/echo/x", status(200));
        assertThat(ok.headers().firstValue("RateLimit-Limit")).hasValue("100");
        assertThat(upstream.lastRequest().orElseThrow().header("X-Team")).isEqualTo("payments");
        assertThat(upstream.lastRequest().orElseThrow().rawPath()).isEqualTo("/echo/x");

        HttpResponse<String> timeout = call(port, "/full/delay/2000");
        assertThat(timeout.statusCode()).isEqualTo(504);
        assertThat(timeout.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(timeout.body()).contains("\"upstream_timeout\"");

        // the global breaker threshold (5): the timeout above was one failure
        for (int i = 0; i < 4; i++) {
            assertThat(call(port, "/full/status/500").statusCode()).isEqualTo(500);
        }
        HttpResponse<String> open = call(port, "/full/ok");
        assertThat(open.statusCode()).isEqualTo(503);
        assertThat(open.body()).contains("\"circuit_open\"");

        // its own bucket of 100: spent here, while /proxy still has its own
        HttpResponse<String> last = open;
        for (int i = 0; i < 100 && last.statusCode() != 429; i++) {
            last = call(port, "/full/ok");
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.body()).contains("\"rate_limited\"");
        assertThat(call(port, "/proxy/ok").statusCode()).isEqualTo(200);

        Files.delete(DIR.resolve("full.yaml"));
        await(port, "/full/ok", status(404));
    }

    @Test
    void brokenFilesAreRefusedWithOneLogLineAndRunningRoutesKeepServing() throws Exception {
        write(DIR, "good.yaml", templated("good", "/good", upstreamUrl()));
        await(port, "/good/ok", status(200));

        Map<String, String> broken = Map.of(
                "- route: {id: x\n  from: [", "invalid YAML",
                """
                - route:
                    id: unknown-step
                    from:
                      uri: "platform-http:/unknown-step"
                      steps:
                        - frobnicate: {}
                """, "frobnicate",
                templated("typo", "/typo", upstreamUrl(), "rateLimitCapacityy", "3"),
                "unknown template parameter 'rateLimitCapacityy'",
                templated("negative", "/negative", upstreamUrl(), "rateLimitCapacity", "-1"),
                "rateLimitCapacity must be between 1",
                templated("good", "/other", upstreamUrl()), "route id 'good' is already used by file good.yaml",
                templated("thief", "/good", upstreamUrl()), "path /good is already served by file good.yaml",
                templated("proxied", "/proxy", upstreamUrl()), "belongs to the gateway",
                """
                - route:
                    id: no-bean
                    from:
                      uri: "platform-http:/no-bean"
                      steps:
                        - process:
                            ref: noSuchStep
                """, "noSuchStep");
        for (Map.Entry<String, String> kind : broken.entrySet()) {
            logs.clear();
            write(DIR, "broken.yaml", kind.getKey());
            Map<String, String> line = logs.await("route_file_refused", "broken.yaml");
            assertThat(line.get("reason")).contains(kind.getValue());
            assertThat(logs.events("route_file_refused")).hasSize(1);
            assertThat(call(port, "/good/ok").statusCode()).isEqualTo(200);
            assertThat(call(port, "/proxy/ok").statusCode()).isEqualTo(200);
            assertThat(call(managementPort, "/actuator/health").statusCode()).isEqualTo(200);
        }

        // a running file broken by an edit keeps serving its old routes
        logs.clear();
        write(DIR, "good.yaml", templated("good", "/good", upstreamUrl(), "upstreamTimeoutSeconds", "zero"));
        assertThat(logs.await("route_file_refused", "good.yaml").get("reason")).contains("upstreamTimeoutSeconds");
        assertThat(call(port, "/good/ok").statusCode()).isEqualTo(200);

        // fixing the files loads them
        write(DIR, "broken.yaml", templated("fixed", "/fixed", upstreamUrl()));
        await(port, "/fixed/ok", status(200));
        write(DIR, "good.yaml", templated("good", "/good", upstreamUrl(), "rateLimitCapacity", "9"));
        await(port, "/good/ok", r -> r.headers().firstValue("RateLimit-Limit").orElse("").equals("9"));

        Files.delete(DIR.resolve("broken.yaml"));
        Files.delete(DIR.resolve("good.yaml"));
        await(port, "/good/ok", status(404));
        await(port, "/fixed/ok", status(404));
    }

    @Test
    void inFlightRequestsOnAReplacedRouteComplete() throws Exception {
        write(DIR, "inflight.yaml", templated("inflight", "/inflight", upstreamUrl(), "upstreamTimeoutSeconds", "5"));
        await(port, "/inflight/ok", status(200));

        java.util.concurrent.CompletableFuture<HttpResponse<String>> slow = http.sendAsync(
                java.net.http.HttpRequest.newBuilder(gateway("/inflight/delay/1500")).build(),
                HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (camel.getInflightRepository().size("inflight") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(camel.getInflightRepository().size("inflight")).isEqualTo(1);

        write(DIR, "inflight.yaml", templated("inflight", "/inflight", upstreamUrl(), "upstreamTimeoutSeconds", "5",
                "rateLimitCapacity", "13"));
        await(port, "/inflight/ok", r -> r.headers().firstValue("RateLimit-Limit").orElse("").equals("13"));
        assertThat(slow.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);

        Files.delete(DIR.resolve("inflight.yaml"));
        await(port, "/inflight/ok", status(404));
    }

    @Test
    void rewritingAFileTenTimesUnderConstantTrafficDropsNoRequest() throws Exception {
        write(DIR, "busy.yaml", templated("busy", "/busy", upstreamUrl(), "rateLimitCapacity", "1000000"));
        await(port, "/busy/ok", status(200));

        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.List<String> wrong = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (int c = 0; c < 4; c++) {
                clients.submit(() -> {
                    // bounded: at most 20 000 requests per client, and the loop ends when the rewrites are done
                    for (int i = 0; i < 20_000 && !stop.get(); i++) {
                        try {
                            HttpResponse<String> r = call(port, "/busy/ok");
                            answered.incrementAndGet();
                            if (r.statusCode() != 200) {
                                wrong.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            wrong.add(e.toString());
                        }
                    }
                    return null;
                });
            }
            for (int version = 1; version <= 10; version++) {
                String limit = Integer.toString(1_000_000 + version);
                write(DIR, "busy.yaml", templated("busy", "/busy", upstreamUrl(), "rateLimitCapacity", limit));
                await(port, "/busy/ok", r -> r.headers().firstValue("RateLimit-Limit").orElse("").equals(limit));
            }
        } finally {
            stop.set(true);
            clients.shutdown();
            assertThat(clients.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(answered.get()).isGreaterThan(10);
        assertThat(wrong).isEmpty();
    }

    @Test
    void anEmptyFileIsTakenAsBeingWrittenNotAsBroken() throws Exception {
        write(DIR, "editing.yaml", templated("editing", "/editing", upstreamUrl()));
        await(port, "/editing/ok", status(200));
        logs.clear();

        Files.write(DIR.resolve("editing.yaml"), new byte[0]); // an editor truncating before it writes
        // then the second half of a write arrives: the whole file, changed
        Files.writeString(DIR.resolve("editing.yaml"), templated("editing", "/editing", upstreamUrl(),
                "rateLimitCapacity", "21"));
        await(port, "/editing/ok", r -> r.headers().firstValue("RateLimit-Limit").orElse("").equals("21"));
        assertThat(logs.events("route_file_refused")).isEmpty();

        Files.write(DIR.resolve("editing.yaml"), new byte[0]);
        write(DIR, "probe.yaml", templated("probe", "/probe", upstreamUrl()));
        await(port, "/probe/ok", status(200)); // the scan after the truncation has run
        assertThat(call(port, "/editing/ok").statusCode()).isEqualTo(200);
        assertThat(logs.events("route_file_refused")).isEmpty();

        Files.delete(DIR.resolve("editing.yaml"));
        Files.delete(DIR.resolve("probe.yaml"));
        await(port, "/editing/ok", status(404));
    }

    @Test
    void theTemplateRegistersAndRemovesSettingsHoweverItsRouteIsAdded() throws Exception {
        org.apache.camel.model.Model model = camel.getCamelContextExtension()
                .getContextPlugin(org.apache.camel.model.Model.class);
        model.addRouteFromTemplate("native", "gateway-route", Map.of("path", "/native", "upstreamUrl", upstreamUrl(),
                "rateLimitCapacity", "5"));
        HttpResponse<String> ok = call(port, "/native/ok");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("RateLimit-Limit")).hasValue("5");
        assertThat(registry.forRoute("native").rateLimits().limits().get(0).policy().capacity()).isEqualTo(5);

        camel.getRouteController().stopRoute("native");
        camel.removeRoute("native");
        assertThat(registry.forRoute("native").rateLimits().limits().get(0).policy().capacity()).isEqualTo(100);
        assertThat(call(port, "/native/ok").statusCode()).isEqualTo(404);

        // the template's own check refuses a bad value with a message naming it
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.addRouteFromTemplate("bad", "gateway-route",
                        Map.of("path", "/bad", "upstreamUrl", upstreamUrl(), "rateLimitCapacity", "0")))
                .hasStackTraceContaining("rateLimitCapacity must be between 1");
        assertThat(camel.getRoute("bad")).isNull();
    }

    @Test
    void configMapSymlinkSwapIsPickedUp() throws Exception {
        Path first = Files.createDirectory(DIR.resolve("..2026_11_28_08_00_00.000000001"));
        Files.writeString(first.resolve("cm.yaml"), templated("cm", "/cm", upstreamUrl(), "rateLimitCapacity", "11"));
        Path data = DIR.resolve("..data");
        Files.createSymbolicLink(data, first.getFileName());
        Files.createSymbolicLink(DIR.resolve("cm.yaml"), Path.of("..data/cm.yaml"));
        await(port, "/cm/ok", r -> r.statusCode() == 200
                && r.headers().firstValue("RateLimit-Limit").orElse("").equals("11"));

        // the kubelet's update: a new timestamped folder, a new link, renamed over ..data in one step
        Path second = Files.createDirectory(DIR.resolve("..2026_11_28_08_01_00.000000002"));
        Files.writeString(second.resolve("cm.yaml"), templated("cm", "/cm", upstreamUrl(), "rateLimitCapacity", "12"));
        Path tmpLink = DIR.resolve("..data_tmp");
        Files.createSymbolicLink(tmpLink, second.getFileName());
        Files.move(tmpLink, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await(port, "/cm/ok", r -> r.statusCode() == 200
                && r.headers().firstValue("RateLimit-Limit").orElse("").equals("12"));

        Files.delete(DIR.resolve("cm.yaml"));
        Files.delete(data);
        await(port, "/cm/ok", status(404));
    }
}
