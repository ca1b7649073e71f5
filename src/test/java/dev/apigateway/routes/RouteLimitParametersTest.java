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
    void badLimitParametersNameTheParameter() {
        assertThatThrownBy(() -> plan("rateLimits", "burst:20:10:1", "rateLimitCapacity", "5")).hasMessage(
                "parameter rateLimits cannot be combined with rateLimitCapacity: give every limit's sizes in rateLimits");
        assertThatThrownBy(() -> plan("rateLimits", "burst:20")).hasMessageStartingWith(
                "parameter rateLimits 'burst:20': limit 'burst:20' must be name:capacity:refill:periodSeconds");
        assertThatThrownBy(() -> plan("rateLimitShadow", "yes"))
                .hasMessage("parameter rateLimitShadow must be true or false, was 'yes'");
    }
}
