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
 *
 * <p>Also the gateway's defaults for a Redis Cluster, below every other source so that any setting overrides them:
 * Lettuce re-reads the cluster topology when a node fails or a slot moves (adaptive) and every 5 s, so a failover
 * inside the cluster is followed without a restart. The period is what bounds that: a killed master makes Lettuce
 * reconnect at once, the adaptive refresh fires within milliseconds, while the dead node is still the master, and
 * Lettuce then mutes further adaptive refreshes for 30 s; with the replica promoted about 2.5 s after the kill
 * (node timeout 1 s), the gateways followed at 29 s with a 30 s period and within a few seconds with 5 s
 * ({@code RedisClusterFailoverTest}). Spring Boot uses them only when cluster nodes are configured.
 */
public class RedisUrlEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String REDIS_URL = "gateway.redis-url";

    static final Map<String, Object> CLUSTER_DEFAULTS = Map.of(
            "spring.data.redis.lettuce.cluster.refresh.adaptive", "true",
            "spring.data.redis.lettuce.cluster.refresh.period", "5s");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String url = environment.getProperty(REDIS_URL);
        if (StringUtils.hasText(url) && !environment.containsProperty("spring.data.redis.url")) {
            environment.getPropertySources().addFirst(
                    new MapPropertySource("gatewayRedisUrl", Map.of("spring.data.redis.url", url.trim())));
        }
        environment.getPropertySources().addLast(new MapPropertySource("gatewayRedisClusterDefaults", CLUSTER_DEFAULTS));
    }
}
