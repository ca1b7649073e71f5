package dev.apigateway.circuitbreaker;

/**
 * A transition, as published to the other instances on {@link RedisBreakerStore#EVENTS_CHANNEL}.
 *
 * @param instance the instance that made it (it ignores its own messages)
 * @param from     state before
 * @param to       state after
 * @param forced   made by an operator
 * @param after    the breaker after the transition, so receivers need no read
 */
public record BreakerEvent(String instance, BreakerState from, BreakerState to, boolean forced, BreakerSnapshot after) {

    public String route() {
        return after.route();
    }
}
