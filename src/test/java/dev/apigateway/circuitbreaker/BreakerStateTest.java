package dev.apigateway.circuitbreaker;

import static dev.apigateway.circuitbreaker.BreakerState.CLOSED;
import static dev.apigateway.circuitbreaker.BreakerState.HALF_OPEN;
import static dev.apigateway.circuitbreaker.BreakerState.OPEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apigateway.config.GatewayProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class BreakerStateTest {

    @ParameterizedTest
    @CsvSource({"CLOSED,OPEN", "OPEN,HALF_OPEN", "HALF_OPEN,CLOSED", "HALF_OPEN,OPEN"})
    void normalTransitionsAreLegal(BreakerState from, BreakerState to) {
        assertThat(from.canTransitionTo(to, false)).isTrue();
        assertThatCode(() -> from.requireTransitionTo(to, false)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource({"CLOSED,HALF_OPEN", "CLOSED,CLOSED", "OPEN,CLOSED", "OPEN,OPEN", "HALF_OPEN,HALF_OPEN"})
    void otherTransitionsAreRefused(BreakerState from, BreakerState to) {
        assertThat(from.canTransitionTo(to, false)).isFalse();
        assertThatThrownBy(() -> from.requireTransitionTo(to, false))
                .isInstanceOf(IllegalBreakerTransitionException.class)
                .hasMessageContaining(from + " -> " + to);
    }

    @ParameterizedTest
    @EnumSource(BreakerState.class)
    void operatorMayForceAnyStateOpenOrClosedButNotHalfOpen(BreakerState from) {
        assertThat(from.canTransitionTo(OPEN, true)).isTrue();
        assertThat(from.canTransitionTo(CLOSED, true)).isTrue();
        assertThatThrownBy(() -> from.requireTransitionTo(HALF_OPEN, true))
                .isInstanceOf(IllegalBreakerTransitionException.class);
    }

    @Test
    void stateMachineRefusesAnIllegalMoveEvenWhenAskedTo() {
        BreakerSnapshot closed = BreakerSnapshot.initial("r", 0);
        BreakerPolicy policy = new BreakerPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(BreakerStateMachine.force(closed, OPEN, policy, 0).to()).isEqualTo(OPEN);
        assertThatThrownBy(() -> BreakerStateMachine.force(closed, HALF_OPEN, policy, 0))
                .isInstanceOf(IllegalBreakerTransitionException.class);
    }

    @Test
    void labelsAreLowerCase() {
        assertThat(HALF_OPEN.label()).isEqualTo("half_open");
    }

    @Test
    void policyNamesTheBadValue() {
        Duration s = Duration.ofSeconds(1);
        assertThatThrownBy(() -> new BreakerPolicy(0, s, s, s))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("failureThreshold").hasMessageContaining("0");
        assertThatThrownBy(() -> new BreakerPolicy(1, Duration.ZERO, s, s)).hasMessageContaining("window");
        assertThatThrownBy(() -> new BreakerPolicy(1, s, Duration.ofSeconds(-5), s)).hasMessageContaining("resetTimeout")
                .hasMessageContaining("PT-5S");
        assertThatThrownBy(() -> new BreakerPolicy(1, s, s, null)).hasMessageContaining("probeLease");
    }

    @Test
    void policyDefaultsComeFromGatewayPropertiesWithTheLeaseCoveringEverythingAProbeCanTake() {
        GatewayProperties properties = new GatewayProperties();
        BreakerPolicy policy = BreakerPolicy.defaults(properties);
        assertThat(policy.failureThreshold()).isEqualTo(5);
        assertThat(policy.window()).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.resetTimeout()).isEqualTo(Duration.ofSeconds(60));
        // pool wait (2 s) + connect (2 s) + answer head (10 s) + the margin for the outcome to reach the store
        assertThat(policy.probeLease()).isEqualTo(Duration.ofSeconds(14).plus(BreakerPolicy.PROBE_LEASE_MARGIN));
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
        assertThat(CircuitOpenException.retryAfterMillis("r", 0).retryAfterSeconds()).isEqualTo(1);
        assertThat(CircuitOpenException.retryAfterMillis("r", -50).retryAfterSeconds()).isEqualTo(1);
        assertThat(CircuitOpenException.retryAfterMillis("r", 1001).retryAfterSeconds()).isEqualTo(2);
        assertThat(CircuitOpenException.retryAfterMillis("r", 60_000).retryAfterSeconds()).isEqualTo(60);
    }
}
