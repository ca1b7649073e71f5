package dev.apigateway.circuitbreaker;

/**
 * A route's breaker as the store holds it (Redis hash fields, or the in-memory store's entry).
 *
 * @param state          current state
 * @param failures       consecutive failures counted since the count last started
 * @param lastFailureMs  store time of the last counted failure, 0 if none
 * @param openedUntilMs  store time before which an OPEN breaker lets nothing through
 * @param generation     bumped on every transition; outcomes of permits from another generation change nothing
 * @param probeHolder    token of the half-open probe's permit, empty when no probe is out
 * @param probeExpiresMs store time at which the probe's lease runs out
 * @param observedAtMs   store time at which this snapshot was read or written (orders concurrent observations)
 */
public record BreakerSnapshot(
        String route,
        BreakerState state,
        long failures,
        long lastFailureMs,
        long openedUntilMs,
        long generation,
        String probeHolder,
        long probeExpiresMs,
        long observedAtMs) {

    public BreakerSnapshot {
        probeHolder = probeHolder == null ? "" : probeHolder;
    }

    /** A breaker never written: CLOSED, no failures, generation 0. */
    public static BreakerSnapshot initial(String route, long nowMs) {
        return new BreakerSnapshot(route, BreakerState.CLOSED, 0, 0, 0, 0, "", 0, nowMs);
    }

    public boolean probeHeld(long nowMs) {
        return state == BreakerState.HALF_OPEN && !probeHolder.isEmpty() && nowMs < probeExpiresMs;
    }

    BreakerSnapshot observedAt(long nowMs) {
        return new BreakerSnapshot(route, state, failures, lastFailureMs, openedUntilMs, generation, probeHolder,
                probeExpiresMs, nowMs);
    }
}
