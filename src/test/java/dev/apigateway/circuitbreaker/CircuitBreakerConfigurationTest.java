package dev.apigateway.circuitbreaker;

import dev.apigateway.circuitbreaker.redis.RedisBreakerEventsSubscription;
import dev.apigateway.circuitbreaker.redis.RedisBreakerStore;
import dev.apigateway.routes.RouteSettingsRegistry;
import dev.apigateway.store.StateStoreConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.config.GatewayProperties;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** Which breaker the Spring wiring builds, and that the Redis-backed one really writes to Redis. */
class CircuitBreakerConfigurationTest {

    private static TestRedisServer redis;

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class, JacksonAutoConfiguration.class,
                    EndpointAutoConfiguration.class))
            .withUserConfiguration(Settings.class, StateStoreConfiguration.class, RouteSettingsRegistry.class,
                    CircuitBreakerConfiguration.class)
            .withPropertyValues("management.endpoints.web.exposure.include=circuitbreakers",
                    "gateway.circuit-breaker.failure-threshold=2");

    @BeforeAll
    static void startRedis() throws Exception {
        redis = TestRedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @Test
    void withoutTheSharedStoreTheBreakerLivesInMemory() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(BreakerRegistry.class).hasSingleBean(CircuitBreakersEndpoint.class)
                    .doesNotHaveBean(RedisBreakerStore.class).doesNotHaveBean(RedisBreakerEventsSubscription.class);
            BreakerRegistry registry = context.getBean(BreakerRegistry.class);
            assertThat(registry.defaults().failureThreshold()).isEqualTo(2);
            registry.acquire("proxy-default");
            assertThat(context.getBean(CircuitBreakersEndpoint.class).breaker("proxy-default").source()).isEqualTo("memory");
        });
    }

    @Test
    void withStateStoreRedisTheBreakerIsSharedThroughRedis() {
        runner.withPropertyValues("gateway.state-store=redis", "spring.data.redis.host=127.0.0.1",
                        "spring.data.redis.port=" + redis.port(), "spring.data.redis.timeout=10s",
                        "gateway.store-timeout=10s") // generous: a loaded CI machine
                .run(context -> {
                    assertThat(context).hasSingleBean(RedisBreakerStore.class)
                            .hasSingleBean(RedisBreakerEventsSubscription.class);
                    BreakerRegistry registry = context.getBean(BreakerRegistry.class);
                    for (int i = 0; i < 2; i++) {
                        registry.onFailure(registry.acquire("proxy-default"));
                    }
                    assertThat(redis.command("HGET", RedisBreakerStore.key("proxy-default"), "state").trim())
                            .isEqualTo("OPEN");
                    assertThat(context.getBean(CircuitBreakersEndpoint.class).breaker("proxy-default"))
                            .satisfies(v -> {
                                assertThat(v.source()).isEqualTo("shared");
                                assertThat(v.state()).isEqualTo(BreakerState.OPEN);
                                assertThat(v.resetTimeoutSeconds()).isEqualTo(60);
                            });
                    RedisBreakerEventsSubscription subscription = context.getBean(RedisBreakerEventsSubscription.class);
                    Await.until("subscribed", Duration.ofSeconds(10), subscription::listening);
                    // whether other instances' transitions arrive at once: a metric and a health detail
                    assertThat(context.getBean(MeterRegistry.class).get(
                            dev.apigateway.circuitbreaker.redis.RedisBreakerConfiguration.SUBSCRIBED_METER).gauge().value())
                            .isEqualTo(1.0);
                    assertThat(context.getBean("circuitBreakerEventsHealthIndicator",
                            org.springframework.boot.actuate.health.HealthIndicator.class).health().getDetails())
                            .containsEntry("subscribed", true);
                });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(GatewayProperties.class)
    static class Settings {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }
}
