package dev.apigateway.circuitbreaker.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apigateway.circuitbreaker.BreakerEvent;
import dev.apigateway.circuitbreaker.BreakerPolicy;
import dev.apigateway.circuitbreaker.BreakerSnapshot;
import dev.apigateway.circuitbreaker.BreakerState;
import dev.apigateway.circuitbreaker.BreakerStore;
import dev.apigateway.circuitbreaker.BreakerUpdate;
import dev.apigateway.circuitbreaker.BreakerUpdate.Outcome;
import dev.apigateway.circuitbreaker.CircuitBreakerStoreException;
import dev.apigateway.store.SharedStore;
import java.util.List;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Breaker state shared by every instance through Redis: one hash per route,
 * {@code api-gateway:circuit-breaker:{route}} (the hash tag keeps it in one Cluster slot), changed only
 * by the atomic scripts {@code META-INF/scripts/circuit_breaker_*.lua} on the server clock unless a
 * {@code now} is given. Transitions are published on {@link #EVENTS_CHANNEL}.
 *
 * <p>The scripts are {@link RedisScript}s (EVALSHA, EVAL after a NOSCRIPT) held here rather than as beans,
 * so that other {@code RedisScript<List>} beans (the rate limiter's) stay unambiguous to inject.
 */
public final class RedisBreakerStore implements BreakerStore {

    public static final String KEY_PREFIX = "api-gateway:circuit-breaker:";
    public static final String EVENTS_CHANNEL = "api-gateway:circuit-breaker:events";

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> READ = script("read");
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> RECORD_FAILURE = script("record_failure");
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> RECORD_SUCCESS = script("record_success");
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> ACQUIRE_PROBE = script("acquire_probe");
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> FORCE = script("force");

    private final StringRedisTemplate redis;
    private final SharedStore calls;
    private final ObjectMapper json;

    public RedisBreakerStore(StringRedisTemplate redis, SharedStore calls, ObjectMapper json) {
        this.redis = redis;
        this.calls = calls;
        this.json = json;
    }

    /** The hash of one route's breaker. */
    public static String key(String route) {
        return KEY_PREFIX + "{" + route + "}";
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public boolean available() {
        return calls.isAvailable();
    }

    @Override
    public BreakerSnapshot read(String route, Long now) {
        return run("circuit_breaker_read", READ, route, time(now)).after();
    }

    @Override
    public BreakerUpdate recordFailure(String route, long generation, String probeToken, BreakerPolicy policy, Long now) {
        return run("circuit_breaker_record_failure", RECORD_FAILURE, route, Long.toString(generation), probeToken,
                Integer.toString(policy.failureThreshold()), Long.toString(policy.window().toMillis()),
                Long.toString(policy.resetTimeout().toMillis()), time(now));
    }

    @Override
    public BreakerUpdate recordSuccess(String route, long generation, String probeToken, Long now) {
        return run("circuit_breaker_record_success", RECORD_SUCCESS, route, Long.toString(generation), probeToken,
                time(now));
    }

    @Override
    public BreakerUpdate tryAcquireProbe(String route, String holder, BreakerPolicy policy, Long now) {
        return run("circuit_breaker_acquire_probe", ACQUIRE_PROBE, route, holder,
                Long.toString(policy.probeLease().toMillis()), time(now));
    }

    @Override
    public BreakerUpdate force(String route, BreakerState target, BreakerPolicy policy, Long now) {
        return run("circuit_breaker_force", FORCE, route, target.name(),
                Long.toString(policy.resetTimeout().toMillis()), time(now));
    }

    @Override
    public void publish(BreakerEvent event) {
        String message;
        try {
            message = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode circuit breaker event " + event, e);
        }
        calls.call("circuit_breaker_publish", () -> redis.convertAndSend(EVENTS_CHANNEL, message));
    }

    /** Decodes a message from {@link #EVENTS_CHANNEL}. */
    BreakerEvent decode(String message) throws JsonProcessingException {
        return json.readValue(message, BreakerEvent.class);
    }

    @SuppressWarnings("rawtypes")
    private BreakerUpdate run(String operation, RedisScript<List> script, String route, String... args) {
        List<?> reply = calls.call(operation, () -> redis.execute(script, List.of(key(route)), (Object[]) args));
        if (reply == null || reply.size() < 11) {
            throw new CircuitBreakerStoreException(operation, new IllegalStateException("unexpected reply " + reply));
        }
        BreakerSnapshot after = new BreakerSnapshot(route,
                BreakerState.parse(text(reply.get(0))),
                number(reply.get(1)), number(reply.get(2)), number(reply.get(3)), number(reply.get(4)),
                text(reply.get(5)), number(reply.get(6)), number(reply.get(7)));
        String from = text(reply.get(8));
        String to = text(reply.get(9));
        return new BreakerUpdate(after,
                from.isEmpty() ? null : BreakerState.valueOf(from),
                to.isEmpty() ? null : BreakerState.valueOf(to),
                Outcome.valueOf(text(reply.get(10))));
    }

    private static String time(Long now) {
        return now == null ? "" : Long.toString(now);
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private static long number(Object value) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        String s = text(value);
        return s.isEmpty() ? 0 : Long.parseLong(s);
    }

    /**
     * One script: the transition table (from {@link BreakerState}), the shared prelude (clock, hash read,
     * {@code move}), the script's own rules, the shared epilogue (write, reply).
     */
    @SuppressWarnings("rawtypes")
    private static RedisScript<List> script(String name) {
        return RedisScript.of(scriptText(text(name)), List.class);
    }

    /** The text of a breaker script around {@code rules} (public for the test that runs every transition). */
    public static String scriptText(String rules) {
        return transitionTables() + text("prelude") + rules + text("epilogue");
    }

    /** {@code NORMAL} and {@code FORCED}: the legal {@code "FROM>TO"} edges of {@link BreakerState}, as Lua sets. */
    static String transitionTables() {
        StringBuilder normal = new StringBuilder("local NORMAL = {");
        StringBuilder forced = new StringBuilder("local FORCED = {");
        for (BreakerState from : BreakerState.values()) {
            for (BreakerState to : BreakerState.values()) {
                String edge = "[\"" + from.name() + ">" + to.name() + "\"] = true, ";
                if (from.canTransitionTo(to, false)) {
                    normal.append(edge);
                }
                if (from.canTransitionTo(to, true)) {
                    forced.append(edge);
                }
            }
        }
        return normal.append("}\n").append(forced).append("}\n").toString();
    }

    private static String text(String name) {
        try (java.io.InputStream in = new ClassPathResource("META-INF/scripts/circuit_breaker_" + name + ".lua")
                .getInputStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("circuit breaker script " + name, e);
        }
    }
}
