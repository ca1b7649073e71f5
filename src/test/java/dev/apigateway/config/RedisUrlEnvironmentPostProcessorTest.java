package dev.apigateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class RedisUrlEnvironmentPostProcessorTest {

    private final RedisUrlEnvironmentPostProcessor processor = new RedisUrlEnvironmentPostProcessor();

    @Test
    void aSetRedisUrlBecomesSpringDataRedisUrl() {
        StandardEnvironment env = environment("rediss://user:secret@redis.example:6380");
        processor.postProcessEnvironment(env, new SpringApplication());
        assertThat(env.getProperty("spring.data.redis.url")).isEqualTo("rediss://user:secret@redis.example:6380");
    }

    @Test
    void anEmptyRedisUrlLeavesSpringDataRedisUrlUnset() {
        StandardEnvironment env = environment("");
        processor.postProcessEnvironment(env, new SpringApplication());
        assertThat(env.containsProperty("spring.data.redis.url")).isFalse();
    }

    private static StandardEnvironment environment(String url) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", Map.of("gateway.redis-url", url)));
        return env;
    }
}
