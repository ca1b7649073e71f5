package dev.apigateway.circuitbreaker;

import dev.apigateway.testsupport.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

/** The registry on the single-instance store, on a driven clock. */
class BreakerRegistryTest {

    static final BreakerPolicy POLICY = new BreakerPolicy(3, Duration.ofSeconds(60), Duration.ofSeconds(30),
            Duration.ofSeconds(11));

    private final MutableClock clock = new MutableClock(java.time.Instant.ofEpochMilli(1_700_000_000_000L));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final BreakerRegistry registry = new BreakerRegistry(new InMemoryBreakerStore(clock), POLICY, meters,
            clock, false, BreakerRegistry.DEFAULT_REFRESH_INTERVAL);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(BreakerRegistry.class)).addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        ((Logger) LoggerFactory.getLogger(BreakerRegistry.class)).detachAppender(logs);
    }

    @Test
    void opensAfterThresholdConsecutiveFailuresAndRejectsWithRetryAfter() {
        failures("r", 3);
        assertThatThrownBy(() -> registry.acquire("r", POLICY))
                .isInstanceOfSatisfying(CircuitOpenException.class, e -> {
                    assertThat(e.routeId()).isEqualTo("r");
                    assertThat(e.retryAfterSeconds()).isEqualTo(30);
                });
        clock.advance(Duration.ofMillis(29_500));
        assertThatThrownBy(() -> registry.acquire("r", POLICY))
                .isInstanceOfSatisfying(CircuitOpenException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
    }

    @Test
    void aSuccessInBetweenResetsTheCount() {
        failures("r", 2);
        registry.onSuccess(registry.acquire("r", POLICY));
        failures("r", 2);
        assertThat(registry.acquire("r", POLICY).probe()).isFalse();
    }

    @Test
    void transitionIsLoggedOnceCountedAndShownByTheStateGauge() {
        failures("r", 3);
        assertThat(meters.counter(BreakerRegistry.TRANSITIONS_METER, "route", "r", "from", "closed", "to", "open").count())
                .isEqualTo(1.0);
        assertThat(gauge("r", "open")).isEqualTo(1.0);
        assertThat(gauge("r", "closed")).isZero();
        assertThat(gauge("r", "half_open")).isZero();
        assertThat(logs.list).filteredOn(e -> kv(e, "event").equals("circuit_breaker_transition")).singleElement()
                .satisfies(e -> {
                    assertThat(kv(e, "route")).isEqualTo("r");
                    assertThat(kv(e, "from")).isEqualTo("closed");
                    assertThat(kv(e, "to")).isEqualTo("open");
                });
    }

    @Test
    void afterTheResetTimeoutExactlyOneProbeAndItsSuccessCloses() {
        failures("r", 3);
        clock.advance(Duration.ofSeconds(30));
        Permit probe = registry.acquire("r", POLICY);
        assertThat(probe.probe()).isTrue();
        assertThatThrownBy(() -> registry.acquire("r", POLICY))
                .isInstanceOfSatisfying(CircuitOpenException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(11));
        assertThat(gauge("r", "half_open")).isEqualTo(1.0);
        registry.onSuccess(probe);
        assertThat(registry.acquire("r", POLICY).probe()).isFalse();
        assertThat(meters.counter(BreakerRegistry.TRANSITIONS_METER, "route", "r", "from", "half_open", "to", "closed")
                .count()).isEqualTo(1.0);
    }

    @Test
    void probeFailureReopensForAnotherResetTimeout() {
        failures("r", 3);
        clock.advance(Duration.ofSeconds(30));
        registry.onFailure(registry.acquire("r", POLICY));
        assertThatThrownBy(() -> registry.acquire("r", POLICY))
                .isInstanceOfSatisfying(CircuitOpenException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(30));
        clock.advance(Duration.ofSeconds(30));
        assertThat(registry.acquire("r", POLICY).probe()).isTrue();
    }

    @Test
    void aSlowRequestFromBeforeTheOpeningCannotCloseIt() {
        Permit slow = registry.acquire("r", POLICY);
        failures("r", 3);
        registry.onSuccess(slow);
        assertThatThrownBy(() -> registry.acquire("r", POLICY)).isInstanceOf(CircuitOpenException.class);
    }

    @Test
    void routesAreIndependentAndTakeTheirOwnPolicy() {
        BreakerPolicy strict = new BreakerPolicy(1, Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(3));
        registry.onFailure(registry.acquire("strict", strict));
        assertThatThrownBy(() -> registry.acquire("strict", strict))
                .isInstanceOfSatisfying(CircuitOpenException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(5));
        assertThat(registry.acquire("r", POLICY).probe()).isFalse();
    }

    @Test
    void operatorEndpointForcesOpenAndCloses() {
        CircuitBreakersEndpoint endpoint = new CircuitBreakersEndpoint(registry, route -> false);
        registry.acquire("r", POLICY);
        BreakerView opened = endpoint.change("r", "open");
        assertThat(opened.state()).isEqualTo(BreakerState.OPEN);
        assertThat(opened.source()).isEqualTo("memory");
        assertThatThrownBy(() -> registry.acquire("r", POLICY)).isInstanceOf(CircuitOpenException.class);
        assertThat(endpoint.change("r", "close").state()).isEqualTo(BreakerState.CLOSED);
        assertThat(registry.acquire("r", POLICY).probe()).isFalse();
        assertThat(endpoint.breakers()).containsOnlyKeys("r");
        assertThat(endpoint.breaker("r").failureThreshold()).isEqualTo(3);
        assertThat(endpoint.breaker("nope")).isNull();
        assertThatThrownBy(() -> endpoint.change("r", "explode")).isInstanceOf(InvalidEndpointRequestException.class);
        assertThatThrownBy(() -> endpoint.change("nope", "open")).isInstanceOf(InvalidEndpointRequestException.class);
        assertThat(logs.list).filteredOn(e -> kv(e, "event").equals("circuit_breaker_transition"))
                .extracting(e -> kv(e, "forced")).containsExactly("true", "true");
    }

    private void failures(String route, int n) {
        for (int i = 0; i < n; i++) {
            registry.onFailure(registry.acquire(route, POLICY));
        }
    }

    private double gauge(String route, String state) {
        return meters.get(BreakerRegistry.STATE_METER).tag("route", route).tag("state", state).gauge().value();
    }

    private static String kv(ILoggingEvent e, String key) {
        if (e.getKeyValuePairs() == null) {
            return "";
        }
        return e.getKeyValuePairs().stream().filter(p -> p.key.equals(key)).map((KeyValuePair p) -> String.valueOf(p.value))
                .findFirst().orElse("");
    }
}
