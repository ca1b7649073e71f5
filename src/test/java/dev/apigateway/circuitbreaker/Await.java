package dev.apigateway.circuitbreaker;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until a deadline: for effects that travel (pub/sub), never a fixed sleep. */
final class Await {

    private Await() {
    }

    static void until(String what, Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + deadline + ": " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** True when the registry rejects the route now. */
    static boolean rejects(BreakerRegistry registry, String route) {
        try {
            Permit p = registry.acquire(route);
            if (p.probe()) {
                throw new AssertionError("a poll took the probe of " + route);
            }
            return false;
        } catch (CircuitOpenException e) {
            return true;
        }
    }
}
