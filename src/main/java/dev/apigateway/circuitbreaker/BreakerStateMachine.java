package dev.apigateway.circuitbreaker;

import static dev.apigateway.circuitbreaker.BreakerState.CLOSED;
import static dev.apigateway.circuitbreaker.BreakerState.HALF_OPEN;
import static dev.apigateway.circuitbreaker.BreakerState.OPEN;

import dev.apigateway.circuitbreaker.BreakerUpdate.Outcome;

/**
 * The breaker's rules as pure functions of (breaker, event, now). The in-memory store runs these; the
 * Lua scripts under {@code META-INF/scripts/circuit_breaker_*.lua} are the same rules for Redis, and one
 * contract test suite runs against both. Every change of state goes through {@link #move}, which
 * checks the transition table.
 */
final class BreakerStateMachine {

    private BreakerStateMachine() {
    }

    static BreakerUpdate recordFailure(BreakerSnapshot s, long permitGeneration, String probeToken,
                                       BreakerPolicy policy, long now) {
        if (permitGeneration != s.generation()) {
            return BreakerUpdate.of(s.observedAt(now), Outcome.UNCHANGED);
        }
        boolean probe = !probeToken.isEmpty();
        if (s.state() == CLOSED && !probe) {
            long failures = s.failures();
            if (failures > 0 && now - s.lastFailureMs() > policy.window().toMillis()) {
                failures = 0; // the previous failures are older than the window: the count starts again
            }
            failures++;
            if (failures >= policy.failureThreshold()) {
                return move(s, OPEN, false, failures, now, now + policy.resetTimeout().toMillis(), "", 0, now);
            }
            return new BreakerUpdate(new BreakerSnapshot(s.route(), CLOSED, failures, now, s.openedUntilMs(),
                    s.generation(), "", 0, now), null, null, Outcome.APPLIED);
        }
        if (s.state() == HALF_OPEN && probe && probeToken.equals(s.probeHolder())) {
            return move(s, OPEN, false, s.failures() + 1, now, now + policy.resetTimeout().toMillis(), "", 0, now);
        }
        return BreakerUpdate.of(s.observedAt(now), Outcome.UNCHANGED);
    }

    static BreakerUpdate recordSuccess(BreakerSnapshot s, long permitGeneration, String probeToken, long now) {
        if (permitGeneration != s.generation()) {
            return BreakerUpdate.of(s.observedAt(now), Outcome.UNCHANGED);
        }
        boolean probe = !probeToken.isEmpty();
        if (s.state() == HALF_OPEN && probe && probeToken.equals(s.probeHolder())) {
            return move(s, CLOSED, false, 0, 0, 0, "", 0, now);
        }
        if (s.state() == CLOSED && !probe && s.failures() > 0) {
            return new BreakerUpdate(new BreakerSnapshot(s.route(), CLOSED, 0, s.lastFailureMs(), s.openedUntilMs(),
                    s.generation(), "", 0, now), null, null, Outcome.APPLIED);
        }
        return BreakerUpdate.of(s.observedAt(now), Outcome.UNCHANGED);
    }

    static BreakerUpdate tryAcquireProbe(BreakerSnapshot s, String holder, BreakerPolicy policy, long now) {
        long leaseUntil = now + policy.probeLease().toMillis();
        if (s.state() == OPEN && now >= s.openedUntilMs()) {
            BreakerUpdate moved = move(s, HALF_OPEN, false, s.failures(), s.lastFailureMs(), s.openedUntilMs(),
                    holder, leaseUntil, now);
            return new BreakerUpdate(moved.after(), moved.from(), moved.to(), Outcome.PROBE_WON);
        }
        if (s.state() == HALF_OPEN && now >= s.probeExpiresMs()) {
            // the previous probe's lease ran out (its instance died or it never reported): take its place.
            // Same generation; the old probe's late outcome no longer matches the holder and changes nothing.
            return BreakerUpdate.of(new BreakerSnapshot(s.route(), HALF_OPEN, s.failures(), s.lastFailureMs(),
                    s.openedUntilMs(), s.generation(), holder, leaseUntil, now), Outcome.PROBE_WON);
        }
        return BreakerUpdate.of(s.observedAt(now), Outcome.PROBE_LOST);
    }

    /** An operator's action: OPEN for another reset timeout, or CLOSED with the count cleared. */
    static BreakerUpdate force(BreakerSnapshot s, BreakerState target, BreakerPolicy policy, long now) {
        if (target == OPEN) {
            return move(s, OPEN, true, s.failures(), s.lastFailureMs(), now + policy.resetTimeout().toMillis(),
                    "", 0, now);
        }
        return move(s, target, true, 0, 0, 0, "", 0, now);
    }

    private static BreakerUpdate move(BreakerSnapshot s, BreakerState to, boolean forced, long failures,
                                      long lastFailureMs, long openedUntilMs, String holder, long probeExpiresMs,
                                      long now) {
        s.state().requireTransitionTo(to, forced);
        BreakerSnapshot after = new BreakerSnapshot(s.route(), to, failures, lastFailureMs, openedUntilMs,
                s.generation() + 1, holder, probeExpiresMs, now);
        return new BreakerUpdate(after, s.state(), to, Outcome.APPLIED);
    }
}
