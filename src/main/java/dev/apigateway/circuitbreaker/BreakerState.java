package dev.apigateway.circuitbreaker;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The three states of a route's breaker, and the table of legal transitions between them
 * (the shape of Resilience4j's {@code CircuitBreakerStateMachine}).
 *
 * <p>Normal transitions: CLOSED→OPEN (threshold reached), OPEN→HALF_OPEN (probe taken after the
 * reset timeout), HALF_OPEN→CLOSED (probe succeeded), HALF_OPEN→OPEN (probe failed). An operator
 * may force any state to OPEN or to CLOSED. Everything else is refused.
 */
public enum BreakerState {
    CLOSED, OPEN, HALF_OPEN;

    private static final Map<BreakerState, Set<BreakerState>> NORMAL = Map.of(
            CLOSED, EnumSet.of(OPEN),
            OPEN, EnumSet.of(HALF_OPEN),
            HALF_OPEN, EnumSet.of(CLOSED, OPEN));

    private static final Set<BreakerState> FORCED_TARGETS = EnumSet.of(OPEN, CLOSED);

    private final String label = name().toLowerCase(Locale.ROOT);

    /** Whether {@code this → to} is in the table; {@code forced} marks an operator's action. */
    public boolean canTransitionTo(BreakerState to, boolean forced) {
        return forced ? FORCED_TARGETS.contains(to) : NORMAL.get(this).contains(to);
    }

    /**
     * Checks {@code this → to} against the table.
     *
     * @throws IllegalBreakerTransitionException when the table does not allow it
     */
    public void requireTransitionTo(BreakerState to, boolean forced) {
        if (!canTransitionTo(to, forced)) {
            throw new IllegalBreakerTransitionException(this, to, forced);
        }
    }

    /** Lower-case name used in metric tags and log values ({@code closed}, {@code open}, {@code half_open}). */
    public String label() {
        return label;
    }

    /** Parses the name stored in Redis; a missing value means a breaker never written, i.e. CLOSED. */
    public static BreakerState parse(String stored) {
        return stored == null || stored.isEmpty() ? CLOSED : valueOf(stored);
    }
}
