package dev.apigateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

/** Where a test must wait for something another thread or process does: poll it, with a deadline. */
public final class Poll {

    @FunctionalInterface
    public interface IntCall {
        int getAsInt() throws Exception;
    }

    private Poll() {
    }

    /** Calls {@code call} every 50 ms until it returns {@code expected}; fails with the last value after {@code within}. */
    public static void until(IntCall call, int expected, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        int last;
        do {
            last = call.getAsInt();
            if (last == expected) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertThat(last).as("still not %s after %s", expected, within).isEqualTo(expected);
    }
}
