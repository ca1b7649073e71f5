package dev.apigateway.targets;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetHealthTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final EjectionPolicy POLICY = EjectionPolicy.of(3, Duration.ofSeconds(30));

    private final List<String> events = new ArrayList<>();

    private TargetHealth health(int targets) {
        return new TargetHealth(targets, POLICY,
                (target, ejected, ms) -> events.add((ejected ? "ejected " : "back ") + target + (ejected ? " " + ms : "")));
    }

    @Test
    void aRefusedConnectEjectsAtOnceAndTheTargetComesBackWhenItsTimeIsUp() {
        TargetHealth health = health(2);

        health.onFailure(1, true, T0);

        assertThat(health.available(T0)).containsExactly(true, false);
        assertThat(health.available(T0 + 29_999)).containsExactly(true, false);
        assertThat(health.available(T0 + 30_000)).containsExactly(true, true);
        assertThat(health.available(T0 + 30_001)).containsExactly(true, true);
        assertThat(events).containsExactly("ejected 1 30000", "back 1");
    }

    @Test
    void failuresInARowEjectAndASuccessStartsTheCountAgain() {
        TargetHealth health = health(2);
        health.onFailure(0, false, T0);
        health.onFailure(0, false, T0);
        health.onSuccess(0);
        health.onFailure(0, false, T0);
        health.onFailure(0, false, T0);
        assertThat(health.isEjected(0, T0)).isFalse();

        health.onFailure(0, false, T0);

        assertThat(health.isEjected(0, T0)).isTrue();
    }

    @Test
    void repeatedEjectionsLastLongerUpToTenTimesTheBase() {
        TargetHealth health = health(2);
        long now = T0;
        List<Long> lengths = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            health.onFailure(0, true, now);
            long back = now;
            while (!health.available(back)[0]) {
                back += 1000;
            }
            lengths.add((back - now) / 1000);
            now = back;
        }
        assertThat(lengths).containsExactly(30L, 60L, 90L, 120L, 150L, 180L, 210L, 240L, 270L, 300L, 300L, 300L);
    }

    @Test
    void aTargetHealthyForTheLongestEjectionStartsFromTheBaseAgain() {
        TargetHealth health = health(2);
        health.onFailure(0, true, T0);
        health.onFailure(0, true, T0 + 30_000);
        assertThat(health.available(T0 + 30_000 + 60_000)[0]).isTrue();

        health.onFailure(0, true, T0 + 90_000 + 300_000);

        assertThat(events).last().isEqualTo("ejected 0 30000");
    }

    @Test
    void atMostHalfOfTheTargetsAreEjectedAtOnce() {
        TargetHealth three = health(3);
        three.onFailure(0, true, T0);
        three.onFailure(1, true, T0);
        three.onFailure(2, true, T0);
        assertThat(three.available(T0)).containsExactly(false, true, true);

        TargetHealth one = health(1);
        one.onFailure(0, true, T0);
        assertThat(one.available(T0)).containsExactly(true);

        TargetHealth four = health(4);
        for (int i = 0; i < 4; i++) {
            four.onFailure(i, true, T0);
        }
        assertThat(four.available(T0)).containsExactly(false, false, true, true);
    }

    @Test
    void targetsFailingTheActiveCheckAreOutUnlessAllAre() {
        TargetHealth health = health(3);
        health.setDown(0, true);
        assertThat(health.available(T0)).containsExactly(false, true, true);

        health.onFailure(1, true, T0); // ejected as well: only the third is left
        assertThat(health.available(T0)).containsExactly(false, false, true);

        health.setDown(2, true); // every target not ejected fails its check: all of them are tried
        assertThat(health.available(T0)).containsExactly(true, false, true);
    }

    @Test
    void theActiveCheckMovesATargetAfterItsThresholdsInARow() {
        TargetHealth health = health(2);
        ActiveHealthChecker checker = new ActiveHealthChecker("r",
                new ActiveHealthCheck("/health", Duration.ofSeconds(1), 2, 3), null, new org.apache.camel.Producer[2],
                new String[] {"a:1", "b:2"}, health);

        checker.record(0, false);
        checker.record(0, false);
        checker.record(0, true); // not three in a row
        checker.record(0, false);
        checker.record(0, false);
        assertThat(health.isDown(0)).isFalse();
        checker.record(0, false);
        assertThat(health.isDown(0)).isTrue();

        checker.record(0, true);
        checker.record(0, false);
        checker.record(0, true);
        assertThat(health.isDown(0)).isTrue();
        checker.record(0, true);
        assertThat(health.isDown(0)).isFalse();
    }
}
