package dev.apigateway.store;

import dev.apigateway.routes.RouteSettingsRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apigateway.config.GatewayProperties;
import dev.apigateway.ratelimit.LocalRateLimiter;
import dev.apigateway.ratelimit.RateLimitConfiguration;
import dev.apigateway.ratelimit.RateLimitDecision.Outcome;
import dev.apigateway.ratelimit.RateLimitPolicy;
import dev.apigateway.ratelimit.RateLimiter;
import dev.apigateway.ratelimit.ResilientRateLimiter;
import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServerExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/** The beans per state store, on a real Redis where one is configured. */
@ExtendWith({OutputCaptureExtension.class, RedisServerExtension.class})
class StateStoreConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(GatewayProperties.class)
    static class Properties {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class))
            .withUserConfiguration(Properties.class, StateStoreConfiguration.class, RouteSettingsRegistry.class,
                    RateLimitConfiguration.class)
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

    @Test
    void withoutRedisSettingsTheMemoryStoreIsUsedSaidOnceAndNothingConnectsToRedis(CapturedOutput output) throws Exception {
        try (ServerSocket fakeRedis = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            runner.withPropertyValues("spring.data.redis.host=127.0.0.1",
                    "spring.data.redis.port=" + fakeRedis.getLocalPort()).run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context).hasSingleBean(LocalRateLimiter.class);
                assertThat(context).doesNotHaveBean(StoreGuard.class);
                assertThat(context).doesNotHaveBean(InstanceRegistry.class);
                RateLimiter limiter = context.getBean(RateLimiter.class);
                RateLimitPolicy policy = context.getBean(RateLimitPolicy.class);
                assertThat(policy).isEqualTo(RateLimitPolicy.of(100, 10, 60));
                assertThat(limiter.tryAcquire("proxy-default", "10.0.0.1", policy).outcome()).isEqualTo(Outcome.ALLOWED);
                HealthIndicator health = context.getBean("storeHealthIndicator", HealthIndicator.class);
                assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                assertThat(health.health().getDetails()).containsEntry("store", "memory");
            });
            fakeRedis.setSoTimeout(300);
            assertThatThrownBy(fakeRedis::accept).as("no connection to Redis in memory mode")
                    .isInstanceOf(SocketTimeoutException.class);
        }
        assertThat(output.getOut().split("state store: memory \\(single instance\\) — set REDIS_HOST or REDIS_URL",
                -1)).hasSize(2);
    }

    @Test
    void aRedisUrlSelectsTheSharedStoreBehindTheGuard(RedisNode redis, CapturedOutput output) {
        runner.withPropertyValues("spring.data.redis.url=" + redis.uri(), "gateway.store-timeout=1000").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(ResilientRateLimiter.class);
            assertThat(context).hasSingleBean(StoreGuard.class);
            assertThat(context.getBean(StoreGuard.class).timeout()).isEqualTo(Duration.ofSeconds(1));
            RateLimiter limiter = context.getBean(RateLimiter.class);
            RateLimitPolicy policy = RateLimitPolicy.of(2, 1, 60);
            assertThat(limiter.tryAcquire("proxy-default", "10.0.0.9", policy).outcome()).isEqualTo(Outcome.ALLOWED);
            assertThat(redis.command("EXISTS", "api-gateway:rate-limit:{proxy-default:10.0.0.9}")).isEqualTo(1L);
            assertThat(context.getBean(InstanceRegistry.class).heartbeat()).isEqualTo(1);
            assertThat(context.getBean("storeHealthIndicator", HealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);
        });
        assertThat(output.getOut()).contains("state store: redis (shared by every instance)");
    }

    @Test
    void readinessIsDownWhenRedisIsUnreachableAndTheFailModeIsClosed() throws Exception {
        int nothingListens;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothingListens = s.getLocalPort();
        }
        ApplicationContextRunner unreachable = runner.withPropertyValues("gateway.state-store=redis",
                "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + nothingListens);

        unreachable.withPropertyValues("gateway.rate-limit.fail-mode=closed").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean("storeHealthIndicator", HealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.DOWN);
            assertThat(context.getBean(RateLimiter.class)
                    .tryAcquire("proxy-default", "10.0.0.1", RateLimitPolicy.of(10, 1, 1)).outcome())
                    .isEqualTo(Outcome.STORE_UNAVAILABLE);
        });
        unreachable.withPropertyValues("gateway.rate-limit.fail-mode=local").run(context -> {
            assertThat(context.getBean("storeHealthIndicator", HealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);
            assertThat(context.getBean(RateLimiter.class)
                    .tryAcquire("proxy-default", "10.0.0.1", RateLimitPolicy.of(10, 1, 1)).outcome())
                    .isEqualTo(Outcome.FALLBACK_ALLOWED);
        });
    }
}
