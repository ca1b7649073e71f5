package dev.apigateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

    @Test
    void aTlsCaFileBecomesTheTrustStoreOfAnSslBundleForRedis(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        StandardEnvironment env = environment("");
        env.getPropertySources().addFirst(new MapPropertySource("ca", Map.of("gateway.redis-tls-ca-file", ca.toString())));
        processor.postProcessEnvironment(env, new SpringApplication());
        assertThat(env.getProperty("spring.data.redis.ssl.bundle")).isEqualTo("gateway-redis");
        assertThat(env.getProperty("spring.ssl.bundle.pem.gateway-redis.truststore.certificate")).isEqualTo("file:" + ca);
    }

    @Test
    void anSslBundleConfiguredForRedisWinsOverTheCaFile(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        StandardEnvironment env = environment("");
        env.getPropertySources().addFirst(new MapPropertySource("ca", Map.of("gateway.redis-tls-ca-file", ca.toString(),
                "spring.data.redis.ssl.bundle", "mine")));
        processor.postProcessEnvironment(env, new SpringApplication());
        assertThat(env.getProperty("spring.data.redis.ssl.bundle")).isEqualTo("mine");
        assertThat(env.containsProperty("spring.ssl.bundle.pem.gateway-redis.truststore.certificate")).isFalse();
    }

    @Test
    void aCaFileThatIsNotThereStopsTheStartNamingTheSetting() {
        StandardEnvironment env = environment("");
        env.getPropertySources().addFirst(new MapPropertySource("ca", Map.of("gateway.redis-tls-ca-file", "/no/ca.pem")));
        assertThatThrownBy(() -> processor.postProcessEnvironment(env, new SpringApplication()))
                .hasMessageStartingWith("Invalid setting REDIS_TLS_CA_FILE (gateway.redis-tls-ca-file) = '/no/ca.pem'");
    }

    private static StandardEnvironment environment(String url) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", Map.of("gateway.redis-url", url)));
        return env;
    }
}
