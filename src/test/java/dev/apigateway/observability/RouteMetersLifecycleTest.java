package dev.apigateway.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.apigateway.circuitbreaker.BreakerRegistry;
import dev.apigateway.ratelimit.RateLimitMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Route meters follow Camel's route lifecycle: at zero when a route with the step is added, gone when it is removed. */
class RouteMetersLifecycleTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private DefaultCamelContext camel;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        Processor step = exchange -> { };
        camel.getRegistry().bind(RouteMeterBinder.RATE_LIMIT_STEP, step);
        camel.getRegistry().bind(RouteMeterBinder.CIRCUIT_BREAKER_STEP, step);
        camel.getManagementStrategy().addEventNotifier(new RouteMetersLifecycle(List.of(
                new RateLimitMetrics(registry), new BreakerTransitionMeters(registry)), Duration.ofMillis(200)));
        camel.start();
    }

    @AfterEach
    void stop() throws Exception {
        camel.close();
    }

    @Test
    void routeWithStepsGetsTheirMetersAtZeroAndARouteWithoutNone() throws Exception {
        camel.addRoutes(routes("limited", true, true));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // the step nested in a doTry, as a full YAML route may have it
                from("direct:nested").routeId("nested").doTry().process(RouteMeterBinder.RATE_LIMIT_STEP)
                        .doCatch(Exception.class).log("caught").end();
                from("direct:plain").routeId("plain").log("no gateway step");
            }
        });

        assertThat(decisionRoutes()).containsExactlyInAnyOrder("limited", "nested");
        assertThat(registry.find(BreakerRegistry.TRANSITIONS_METER).tag("route", "limited").counters()).hasSize(5);
        assertThat(registry.find(BreakerRegistry.TRANSITIONS_METER).tag("route", "nested").counters()).isEmpty();
    }

    @Test
    void removedRouteLosesItsMetersAfterTheDelayButAReplacedOneKeepsItsCounts() throws Exception {
        camel.addRoutes(routes("kept", true, true));
        camel.addRoutes(routes("gone", true, true));
        registry.get(RateLimitMetrics.REJECTED).tag("route", "kept").counter().increment();

        remove("kept");
        camel.addRoutes(routes("kept", true, false)); // the file's new content: no breaker any more
        remove("gone");

        await().atMost(Duration.ofSeconds(10)).until(() -> !decisionRoutes().contains("gone"));
        assertThat(registry.get(RateLimitMetrics.REJECTED).tag("route", "kept").counter().count()).isEqualTo(1);
        assertThat(registry.find(BreakerRegistry.TRANSITIONS_METER).tag("route", "kept").counters()).isEmpty();
        assertThat(registry.find(BreakerRegistry.TRANSITIONS_METER).tag("route", "gone").counters()).isEmpty();
    }

    private void remove(String routeId) throws Exception {
        camel.getRouteController().stopRoute(routeId);
        camel.removeRoute(routeId);
    }

    private List<String> decisionRoutes() {
        return registry.find(RateLimitMetrics.DECISIONS).meters().stream().map(m -> m.getId().getTag("route"))
                .distinct().toList();
    }

    private static RouteBuilder routes(String id, boolean limit, boolean breaker) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                var route = from("direct:" + id).routeId(id);
                if (limit) {
                    route.process(RouteMeterBinder.RATE_LIMIT_STEP);
                }
                if (breaker) {
                    route.process(RouteMeterBinder.CIRCUIT_BREAKER_STEP);
                }
                route.log("done");
            }
        };
    }
}
