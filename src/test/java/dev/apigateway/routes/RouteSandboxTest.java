package dev.apigateway.routes;

import static dev.apigateway.routes.RouteFileTestSupport.await;
import static dev.apigateway.routes.RouteFileTestSupport.call;
import static dev.apigateway.routes.RouteFileTestSupport.templated;
import static dev.apigateway.routes.RouteFileTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.AbstractGatewayTest;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The route-file sandbox through real files on a running gateway: each kind of refusal is one
 * {@code route_file_refused} line naming the fault, and the file's previous routes keep serving. {@code rest} is
 * allowed here so that its paths, too, are checked against the gateway's own.
 */
class RouteSandboxTest extends AbstractGatewayTest {

    private static final Path DIR = RouteFileTestSupport.newRoutesDir("gateway-sandbox");
    private static final AtomicInteger VERSION = new AtomicInteger(1);


    @org.junit.jupiter.api.extension.RegisterExtension
    final RouteFileTestSupport.LogLines logs = new RouteFileTestSupport.LogLines();

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        registry.add("gateway.routes-dir", DIR::toString);
        registry.add("gateway.routes-allowed-components", () -> "platform-http,http,https,direct,log,rest");
    }

    /** A full route of the allowed kind: a gateway step, simple on the message, a fixed upstream. */
    private String fullRoute(String id, String extraSteps, String to) {
        return """
                - route:
                    id: %s
                    from:
                      uri: "platform-http:/%s?matchOnUriPrefix=true"
                      steps:
                        - setHeader:
                            name: X-Path
                            simple: "/echo${header.CamelHttpPath}"
                %s        - process:
                            ref: gatewayForward
                        - to: "%s"
                """.formatted(id, id, extraSteps, to);
    }

    private String upstreamTo() {
        return upstream.baseUrl() + "?{{gateway.upstream-options}}";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            file component           | to: "file:/tmp/gateway-sandbox-out"                                    | component 'file' is not allowed
            controlbus               | to: "controlbus:route?routeId=proxy&action=stop"                       | component 'controlbus' is not allowed
            a bean of the gateway    | process: {ref: routeFiles}                                             | process ref 'routeFiles' is not a gateway step
            bean EIP                 | bean: {ref: camelContext, method: stop}                                | bean 'camelContext' is not allowed
            bean language            | setBody: {method: {ref: routeFiles, method: loaded}}                   | language 'bean' is not allowed
            an environment secret    | setHeader: {name: X-Leak, constant: "{{env:PATH}}"}                    | placeholder {{env:PATH}} is not allowed
            a system property        | setHeader: {name: X-Leak, constant: "{{sys:user.home}}"}               | placeholder {{sys:user.home}} is not allowed
            simple reading env       | setHeader: {name: X-Leak, simple: "${env.PATH}"}                       | expression ${env.PATH} is not allowed
            simple calling a method  | setHeader: {name: X-Leak, simple: "${body.getClass()}"}                | expression ${body.getClass()} is not allowed
            simple calling a bean    | setHeader: {name: X-Leak, simple: "${bean:camelContext.stop}"}         | expression ${bean:camelContext.stop} is not allowed
            dynamic endpoint         | toD: "http://127.0.0.1:1/${header.X-Path}"                             | is dynamic
            recipient list           | recipientList: {constant: "http://127.0.0.1:1"}                        | recipientList is not allowed
            a class in an option     | to: "http://127.0.0.1:1?httpClientConfigurer=#class:java.lang.Object"  | refers to a bean or class
            """)
    void aFullRouteUsingWhatTheSandboxRefusesIsRefusedAndTheOldRoutesKeepServing(String kind, String step,
                                                                                  String reason) throws Exception {
        assertRefusedKeepingOldRoutes(fullRoute("sandboxed", "        - " + step + "\n", upstreamTo()), reason);
    }

    @Test
    void aTemplatedRouteCannotSendASecretToTheUpstreamOfItsChoice() throws Exception {
        assertRefusedKeepingOldRoutes(templated("sandboxed", "/sandboxed", "http://127.0.0.1:1/{{env:PATH}}"),
                "placeholder {{env:PATH}} is not allowed");
    }

    @Test
    void aConsumerOfAComponentNotAllowedIsRefused() throws Exception {
        assertRefusedKeepingOldRoutes("""
                - route:
                    id: sandboxed
                    from:
                      uri: "timer:tick?period=1000"
                      steps:
                        - to: "log:tick"
                """, "component 'timer' is not allowed");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            rest:get:/health              | path /health belongs to the gateway (/health)
            rest:get:/actuator:prometheus | path /actuator/prometheus belongs to the gateway (/actuator)
            rest:get:/{anything}          | path /{anything} would take the gateway's own paths
            """)
    void everyConsumerIsCheckedAgainstTheGatewaysOwnPaths(String uri, String reason) throws Exception {
        assertRefusedKeepingOldRoutes("""
                - route:
                    id: sandboxed
                    from:
                      uri: "%s"
                      steps:
                        - setBody: {constant: taken}
                """.formatted(uri), reason);
        assertThat(call(port, "/health").body()).contains("UP");
    }

    @Test
    void aFullRouteMayCallTheUpstreamStepInsteadOfATo() throws Exception {
        write(DIR, "stepped.yaml", """
                - route:
                    id: stepped
                    from:
                      uri: "platform-http:/stepped?matchOnUriPrefix=true"
                      steps:
                        - setHeader:
                            name: X-Stepped
                            constant: "yes"
                        - process:
                            ref: gatewayForward
                        - process:
                            ref: gatewayUpstream
                """);
        await(port, "/stepped/ok", r -> r.statusCode() == 200
                && upstream.lastRequest().map(q -> "yes".equals(q.header("X-Stepped"))).orElse(false));
        assertThat(upstream.lastRequest().orElseThrow().rawPath()).isEqualTo("/ok");
    }

    /** Loads a good version of the file, writes the refused one, and checks what the gateway says and serves. */
    private void assertRefusedKeepingOldRoutes(String refused, String reason) throws Exception {
        String version = Integer.toString(VERSION.incrementAndGet());
        write(DIR, "sandboxed.yaml", fullRoute("sandboxed", "", upstreamTo()).replace("X-Path",
                "X-Version-" + version));
        await(port, "/sandboxed/ok", r -> r.statusCode() == 200
                && upstream.lastRequest().map(q -> q.header("X-Version-" + version) != null).orElse(false));
        logs.clear();

        write(DIR, "sandboxed.yaml", refused);
        Map<String, String> line = logs.await("route_file_refused", "sandboxed.yaml");
        assertThat(line.get("reason")).contains(reason);
        assertThat(logs.events("route_file_refused")).hasSize(1);
        assertThat(call(port, "/sandboxed/ok").statusCode()).isEqualTo(200);
        assertThat(upstream.lastRequest().orElseThrow().header("X-Version-" + version)).isNotNull();
        assertThat(call(port, "/health").statusCode()).isEqualTo(200);
        assertThat(call(port, "/proxy/ok").statusCode()).isEqualTo(200);
    }
}
