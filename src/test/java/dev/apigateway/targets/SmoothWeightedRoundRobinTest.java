package dev.apigateway.targets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {

    private static final boolean[] ALL = {true, true, true};

    @Test
    void picksByWeightSpreadOutRatherThanInRuns() {
        SmoothWeightedRoundRobin selector = new SmoothWeightedRoundRobin(new int[] {5, 1, 1});
        List<Integer> picks = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            picks.add(selector.pick(ALL));
        }
        // nginx's example: a a b a c a a
        assertThat(picks).containsExactly(0, 0, 1, 0, 2, 0, 0);
    }

    @Test
    void theSplitMatchesTheWeightsExactlyOverWholeRounds() {
        SmoothWeightedRoundRobin selector = new SmoothWeightedRoundRobin(new int[] {3, 2, 1});
        int[] counts = new int[3];
        for (int i = 0; i < 600; i++) {
            counts[selector.pick(ALL)]++;
        }
        assertThat(counts).containsExactly(300, 200, 100);
    }

    @Test
    void skipsTargetsThatAreNotEligibleAndSaysWhenNoneIs() {
        SmoothWeightedRoundRobin selector = new SmoothWeightedRoundRobin(new int[] {3, 2, 1});
        boolean[] notFirst = {false, true, true};
        int[] counts = new int[3];
        for (int i = 0; i < 300; i++) {
            counts[selector.pick(notFirst)]++;
        }
        assertThat(counts).containsExactly(0, 200, 100);
        assertThat(selector.pick(new boolean[3])).isEqualTo(-1);
    }
}
