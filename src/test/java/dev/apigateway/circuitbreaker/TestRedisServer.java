package dev.apigateway.circuitbreaker;

import dev.apigateway.testsupport.RedisNode;
import dev.apigateway.testsupport.RedisServers;
import dev.apigateway.testsupport.RedisTestClients;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The breaker tests' view of a real Redis server from the shared test support, with a few Redis-side counters. */
final class TestRedisServer implements AutoCloseable {

    private final RedisNode node;

    private TestRedisServer(RedisNode node) {
        this.node = node;
    }

    static TestRedisServer start() {
        return new TestRedisServer(RedisServers.start());
    }

    int port() {
        return node.port();
    }

    /** Starts the server again on the same port after {@link #stop()}. */
    void startProcess() {
        node.restart();
    }

    void stop() {
        node.stop();
    }

    @Override
    public void close() {
        node.close();
    }

    LettuceConnectionFactory connectionFactory(Duration commandTimeout) {
        return RedisTestClients.factory(node, commandTimeout);
    }

    /** Calls per command since start, from {@code INFO commandstats}. */
    Map<String, Long> commandCalls() {
        Map<String, Long> calls = new HashMap<>();
        for (String line : command("INFO", "commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String rest = line.substring(line.indexOf("calls=") + "calls=".length());
                calls.put(name, Long.parseLong(rest.substring(0, rest.indexOf(','))));
            }
        }
        return calls;
    }

    long subscribers(String channel) {
        Object reply = node.command("PUBSUB", "NUMSUB", channel);
        return Long.parseLong(String.valueOf(((List<?>) reply).get(1)));
    }

    /** Waits until {@code count} instances listen to the breaker events channel. */
    void awaitEventSubscribers(int count, Duration deadline) {
        Await.until(count + " instances subscribed", deadline, () -> {
            try {
                return subscribers(dev.apigateway.circuitbreaker.redis.RedisBreakerStore.EVENTS_CHANNEL) == count;
            } catch (Exception e) {
                return false;
            }
        });
    }

    void flushAll() {
        node.flushAll();
    }

    /** The server itself, for replies that are not text (arrays, errors). */
    dev.apigateway.testsupport.RedisNode node() {
        return node;
    }

    /** One command over a fresh connection; the reply as text ({@code ""} for a nil). */
    String command(String... args) {
        Object reply = node.command(args);
        return reply == null ? "" : String.valueOf(reply);
    }
}
