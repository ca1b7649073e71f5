package dev.apigateway.circuitbreaker;

/** A transition the table in {@link BreakerState} does not allow. */
public class IllegalBreakerTransitionException extends IllegalStateException {

    private final BreakerState from;
    private final BreakerState to;

    public IllegalBreakerTransitionException(BreakerState from, BreakerState to, boolean forced) {
        super("illegal circuit breaker transition " + from + " -> " + to + (forced ? " (forced)" : ""));
        this.from = from;
        this.to = to;
    }

    public BreakerState from() { return from; }
    public BreakerState to() { return to; }
}
