package dev.apigateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * One real Redis server for a test, on 127.0.0.1 and a port of its own. It can be stopped or killed
 * mid-test (an outage) and restarted on the same port as a fresh process: empty, scripts flushed.
 * Get one from {@link RedisServers} or {@link RedisServerExtension}.
 */
public interface RedisNode extends AutoCloseable {

    String host();

    int port();

    /** {@code redis://127.0.0.1:<port>} */
    default String uri() {
        return "redis://" + host() + ":" + port();
    }

    /** True while the server answers PING. */
    boolean isRunning();

    /** Graceful stop (SHUTDOWN NOSAVE); the port stays reserved for {@link #restart()}. */
    void stop();

    /** Abrupt end (SIGKILL, or docker kill): clients see connections drop without goodbye. */
    void kill();

    /** Starts a fresh server on the same port (stopping the old one first if it still runs). */
    void restart();

    /** Stops the server for good and frees what it held. */
    @Override
    void close();

    /** Sends one command over a fresh connection (test plumbing, not the client under test). */
    default Object command(String... args) {
        try {
            return Resp.once(host(), port(), args);
        } catch (IOException e) {
            throw new UncheckedIOException("redis " + host() + ":" + port() + " " + String.join(" ", args), e);
        }
    }

    /** True when a PING over a fresh connection gets PONG. */
    default boolean answersPing() {
        try {
            return "PONG".equals(Resp.once(host(), port(), "PING"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    default void flushAll() {
        command("FLUSHALL");
    }

    /** {@code SCRIPT FLUSH}: the next EVALSHA of any script answers NOSCRIPT. */
    default void scriptFlush() {
        command("SCRIPT", "FLUSH");
    }

    /**
     * For a {@code @SpringBootTest}: points Spring Data Redis here and selects the Redis state store.
     * <pre>{@code
     * static final RedisNode REDIS = RedisServers.shared();
     * @DynamicPropertySource static void redis(DynamicPropertyRegistry r) { REDIS.registerSpringProperties(r); }
     * }</pre>
     */
    default void registerSpringProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.url", this::uri);
        registry.add("spring.data.redis.host", this::host);
        registry.add("spring.data.redis.port", this::port);
        registry.add("gateway.state-store", () -> "redis");
    }
}
