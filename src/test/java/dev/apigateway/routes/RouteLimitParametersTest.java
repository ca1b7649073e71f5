package dev.apigateway.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apigateway.config.GatewayProperties;
import dev.apigateway.ratelimit.RateLimitPlan;
import dev.apigateway.ratelimit.RateLimitPolicy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits of a templated route: rateLimits, the three single sizes, rateLimitShadow and the global settings. */
class RouteLimitParametersTest {

    private final GatewayProperties properties = new GatewayProperties();

    private RateLimitPlan plan(String... params) {
        RouteSettingsRegistry registry = new RouteSettingsRegistry(properties);
        Map<String, Object> all = new HashMap<>(Map.of("path", "/p", "upstreamUrl", "http://localhost:5001"));
        for (int i = 0; i < params.length; i += 2) {
            all.put(params[i], params[i + 1]);
        }
        GatewayRouteParameters.Spec spec = GatewayRouteParameters.parse("p", all, registry.defaultsFor("p"),
                registry.singleLimitDefaults());
        // what the route runs with is what the template's explicit parameters say again
        assertThat(GatewayRouteParameters.parse("p", GatewayRouteParameters.templateParameters(spec),
                registry.defaultsFor("p"), registry.singleLimitDefaults()).settings()).isEqualTo(spec.settings());
        registry.register(spec.settings());
        return registry.forRoute("p").rateLimits();
    }

    @Test
    void rateLimitsGivesTheRouteItsNamedLimits() {
        assertThat(plan("rateLimits", "burst:20:10:1,daily:10000:10000:86400"))
                .isEqualTo(RateLimitPlan.parse("burst:20:10:1,daily:10000:10000:86400"));
    }

    @Test
    void theSingleSizesMakeOneDefaultLimitOverTheGlobalSizesEvenWhenRateLimitsIsSet() {
        properties.getRateLimit().setLimits("burst:20:10:1,daily:10000:10000:86400");
        assertThat(plan()).as("no limit parameter: the global plan").isEqualTo(
                RateLimitPlan.parse("burst:20:10:1,daily:10000:10000:86400"));
        assertThat(plan("rateLimitCapacity", "7")).isEqualTo(RateLimitPlan.single(RateLimitPolicy.of(7, 10, 60)));
    }

    @Test
    void shadowPerRouteAndGlobally() {
        assertThat(plan("rateLimits", "a:1:1:1,b:2:2:2", "rateLimitShadow", "true").allShadow()).isTrue();
        assertThat(plan("rateLimitShadow", "false").allShadow()).isFalse();
        properties.getRateLimit().setShadow(true);
        assertThat(plan("rateLimits", "a:1:1:1,b:2:2:2")).isEqualTo(RateLimitPlan.parse("a:1:1:1,b:2:2:2").asShadow());
        assertThat(new RouteSettingsRegistry(properties).forRoute("proxy").rateLimits().allShadow()).isTrue();
    }

    @Test
    void costRulesOfTheRouteOrTheGlobalOnesAndNoneAboveALimitsCapacity() {
        RouteSettingsRegistry registry = new RouteSettingsRegistry(properties);
        Map<String, Object> params = new HashMap<>(Map.of("path", "/p", "upstreamUrl", "http://localhost:5001",
                "rateLimits", "burst:20:10:1,daily:1000:1000:86400", "rateLimitCosts", "POST /reports/**=10"));
        RouteSettings settings = GatewayRouteParameters.parse("p", params, registry.defaultsFor("p"),
                registry.singleLimitDefaults()).settings();
        assertThat(settings.costs().costOf("POST", "/reports/2026")).isEqualTo(10);
        assertThat(settings.costs().costOf("GET", "/reports/2026")).isEqualTo(1);

        params.put("rateLimitCosts", "POST=25");
        assertThatThrownBy(() -> GatewayRouteParameters.parse("p", params, registry.defaultsFor("p"),
                registry.singleLimitDefaults())).hasMessage("parameter rateLimitCosts: cost rule 'POST=25' costs more"
                + " than limit 'burst' holds (capacity 20): such a request could never pass");

        properties.getRateLimit().setCosts("DELETE=50");
        params.remove("rateLimitCosts");
        assertThatThrownBy(() -> GatewayRouteParameters.parse("p", params, registry.defaultsFor("p"),
                registry.singleLimitDefaults())).hasMessageStartingWith(
                "RATE_LIMIT_COSTS applies to this route, which sets no rateLimitCosts: cost rule 'DELETE=50'");
        params.put("rateLimits", "burst:60:10:1");
        assertThat(GatewayRouteParameters.parse("p", params, registry.defaultsFor("p"), registry.singleLimitDefaults())
                .settings().costs().costOf("DELETE", "/x")).isEqualTo(50);
    }

    @Test
    void rateLimitKeySaysWhatTheBucketsBelongTo() {
        RouteSettingsRegistry registry = new RouteSettingsRegistry(properties);
        Map<String, Object> params = new HashMap<>(Map.of("path", "/p", "upstreamUrl", "http://localhost:5001"));
        java.util.function.Function<String, RouteSettings> keyed = key -> {
            params.put("rateLimitKey", key);
            GatewayRouteParameters.Spec spec = GatewayRouteParameters.parse("p", params, registry.defaultsFor("p"),
                    registry.singleLimitDefaults());
            assertThat(GatewayRouteParameters.parse("p", GatewayRouteParameters.templateParameters(spec),
                    registry.defaultsFor("p"), registry.singleLimitDefaults()).settings()).isEqualTo(spec.settings());
            return spec.settings();
        };
        assertThat(keyed.apply("consumer").consumerKeyed()).isTrue();
        assertThat(keyed.apply("header:X-Tenant").keyHeader()).isEqualTo("X-Tenant");
        assertThat(keyed.apply("ip").keyHeader()).isNull();
        assertThatThrownBy(() -> keyed.apply("cookie")).hasMessage(
                "parameter rateLimitKey 'cookie' must be ip, header:NAME (a header name) or consumer");
        params.put("rateLimitKeyHeader", "X-Api-Key");
        assertThatThrownBy(() -> keyed.apply("consumer")).hasMessageStartingWith(
                "parameter rateLimitKey cannot be combined with rateLimitKeyHeader");

        properties.getRateLimit().setKey("header:X-Tenant");
        assertThat(new RouteSettingsRegistry(properties).forRoute("proxy").keyHeader()).isEqualTo("X-Tenant");
    }

    @Test
    void badLimitParametersNameTheParameter() {
        assertThatThrownBy(() -> plan("rateLimits", "burst:20:10:1", "rateLimitCapacity", "5")).hasMessage(
                "parameter rateLimits cannot be combined with rateLimitCapacity: give every limit's sizes in rateLimits");
        assertThatThrownBy(() -> plan("rateLimits", "burst:20")).hasMessageStartingWith(
                "parameter rateLimits 'burst:20': limit 'burst:20' must be name:capacity:refill:periodSeconds");
        assertThatThrownBy(() -> plan("rateLimitShadow", "yes"))
                .hasMessage("parameter rateLimitShadow must be true or false, was 'yes'");
    }
}
