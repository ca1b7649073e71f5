package dev.apigateway.config;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>{@code REDIS_TLS_CA_FILE} ({@code gateway.redis-tls-ca-file}), a PEM file of the CA certificates that signed the
 * Redis server's certificate, becomes Spring Boot's SSL bundle {@value #TLS_BUNDLE} (its trust store) and
 * {@code spring.data.redis.ssl.bundle}, which turns TLS to Redis on; unless an SSL bundle for Redis is configured
 * already. Without it a {@code rediss://} URL trusts the JVM's default CAs (enough for managed Redis services).
 *
 * <p>Also the gateway's defaults for a Redis Cluster, below every other source so that any setting overrides them:
 * Lettuce re-reads the cluster topology when a node fails or a slot moves (adaptive) and every 5 s, so a failover
 * inside the cluster is followed without a restart. The period is what bounds that: a killed master makes Lettuce
 * reconnect at once, the adaptive refresh fires on the fifth attempt (half a second after the kill, in the test
 * log), while the dead node is still the master, and Lettuce then mutes further adaptive refreshes for 30 s. With
 * the replica promoted 2.5 to 3 s after the kill (node timeout 1 s), the gateways followed at 29 s with a 30 s
 * period and at 4.5 to 7 s with 5 s ({@code RedisClusterFailoverTest}). Spring Boot uses them only when cluster nodes are configured.
 */
public class RedisUrlEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String REDIS_URL = "gateway.redis-url";
    static final String REDIS_TLS_CA_FILE = "gateway.redis-tls-ca-file";
    static final String TLS_BUNDLE = "gateway-redis";

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
        String ca = environment.getProperty(REDIS_TLS_CA_FILE);
        if (StringUtils.hasText(ca) && !environment.containsProperty("spring.data.redis.ssl.bundle")) {
            requireReadable(ca.trim());
            environment.getPropertySources().addFirst(new MapPropertySource("gatewayRedisTls", Map.of(
                    "spring.ssl.bundle.pem." + TLS_BUNDLE + ".truststore.certificate", location(ca.trim()),
                    "spring.data.redis.ssl.bundle", TLS_BUNDLE)));
        }
        environment.getPropertySources().addLast(new MapPropertySource("gatewayRedisClusterDefaults", CLUSTER_DEFAULTS));
    }

    /** Spring's own error names neither the setting nor the cause a deployment gets wrong most: a missing mount. */
    private static void requireReadable(String ca) {
        if (ca.startsWith("classpath:")) {
            return;
        }
        Path file = Path.of(ca.startsWith("file:") ? ca.substring("file:".length()) : ca);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("Invalid setting REDIS_TLS_CA_FILE (" + REDIS_TLS_CA_FILE + ") = '" + ca
                    + "': no readable file there (a PEM file of the CA certificates that signed the Redis server's)");
        }
    }

    /** A plain path is a file (Spring would look for it on the classpath); {@code file:} or {@code classpath:} as given. */
    private static String location(String path) {
        return path.startsWith("file:") || path.startsWith("classpath:") ? path : "file:" + path;
    }
}
