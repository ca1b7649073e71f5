package dev.apigateway.config;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * {@code REDIS_URL} ({@code gateway.redis-url}: {@code redis://} or {@code rediss://}) becomes {@code spring.data.redis.url} when it is set
 * and not empty. Spring Data Redis refuses an empty URL, so the mapping cannot live in {@code application.yml}.
 */
public class RedisUrlEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String REDIS_URL = "gateway.redis-url";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String url = environment.getProperty(REDIS_URL);
        if (StringUtils.hasText(url) && !environment.containsProperty("spring.data.redis.url")) {
            environment.getPropertySources().addFirst(
                    new MapPropertySource("gatewayRedisUrl", Map.of("spring.data.redis.url", url.trim())));
        }
    }
}
