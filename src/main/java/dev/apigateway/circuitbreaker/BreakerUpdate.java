package dev.apigateway.circuitbreaker;

/**
 * What one store operation did: the breaker after it, the transition it made (if any) and its outcome.
 *
 * @param after   the breaker after the operation
 * @param from    state before a transition, null when there was none
 * @param to      state after a transition, null when there was none
 * @param outcome what happened
 */
public record BreakerUpdate(BreakerSnapshot after, BreakerState from, BreakerState to, Outcome outcome) {

    public enum Outcome {
        /** the outcome was counted (failure, reset, probe result, forced state) */
        APPLIED,
        /** nothing changed: the permit belongs to another generation or probe, or there was nothing to do */
        UNCHANGED,
        /** the caller took the probe lease */
        PROBE_WON,
        /** someone else holds the probe, or the breaker is not due for one */
        PROBE_LOST,
        /** a plain read */
        READ
    }

    public boolean transitioned() {
        return from != null;
    }

    static BreakerUpdate of(BreakerSnapshot after, Outcome outcome) {
        return new BreakerUpdate(after, null, null, outcome);
    }
}
