package dev.apigateway.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apigateway.circuitbreaker.redis.RedisBreakerStore;
import dev.apigateway.testsupport.Resp;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

/** The Lua scripts' move() against every (from, to, forced): exactly the transitions BreakerState allows. */
class BreakerScriptTransitionsTest {

    private static final String MOVE = RedisBreakerStore.scriptText(
            "move(ARGV[1], ARGV[2] == \"1\")\noutcome = \"APPLIED\"\n");
    private static TestRedisServer redis;

    @BeforeAll
    static void start() {
        redis = TestRedisServer.start();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    static Stream<Arguments> everyEdge() {
        return Stream.of(BreakerState.values()).flatMap(from -> Stream.of(BreakerState.values())
                .flatMap(to -> Stream.of(Arguments.of(from, to, false), Arguments.of(from, to, true))));
    }

    @ParameterizedTest(name = "{0} -> {1} forced={2}")
    @MethodSource("everyEdge")
    void theScriptsRefuseExactlyWhatTheJavaTableRefuses(BreakerState from, BreakerState to, boolean forced) {
        String key = RedisBreakerStore.key("edge-" + from + "-" + to + "-" + forced);
        redis.command("HSET", key, "state", from.name(), "generation", "7");
        if (from.canTransitionTo(to, forced)) {
            Object reply = redis.node().command("EVAL", MOVE, "1", key, to.name(), forced ? "1" : "0", "");
            assertThat((List<?>) reply).element(0).isEqualTo(to.name());
            assertThat(redis.command("HGET", key, "generation")).isEqualTo("8");
        } else {
            assertThatThrownBy(() -> redis.node().command("EVAL", MOVE, "1", key, to.name(), forced ? "1" : "0", ""))
                    .isInstanceOf(Resp.RespError.class).hasMessageContaining("illegal transition");
            assertThat(redis.command("HGET", key, "state")).isEqualTo(from.name());
        }
    }
}
