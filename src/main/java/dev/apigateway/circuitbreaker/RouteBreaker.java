package dev.apigateway.circuitbreaker;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** One route's entry in the cache of {@link BreakerRegistry}: the shared state as last seen, and its policy. */
final class RouteBreaker {

    final String route;
    volatile BreakerPolicy policy;
    /** The store's state as last seen (script reply, pub/sub event or periodic read); null before the first read. */
    private final AtomicReference<BreakerSnapshot> cached = new AtomicReference<>();
    /** One probe attempt at a time per instance: the others are rejected without a store call. */
    final AtomicBoolean probing = new AtomicBoolean();

    RouteBreaker(String route, BreakerPolicy policy) {
        this.route = route;
        this.policy = policy;
    }

    BreakerSnapshot cached() {
        return cached.get();
    }

    /**
     * Keeps the newest observation, ordered by generation (every transition starts one), never by the store's
     * clock: after a failover to a Redis whose clock is behind, clock order would freeze the cache. A reply that
     * arrives late from an older generation must not undo a newer one (another instance's OPEN event against this
     * instance's own failure reply); within one generation the later arrival wins (failure counts, probe holder).
     * A store that went back to an older generation (state lost in a failover) is taken by
     * {@link BreakerRegistry#refresh()} through {@link #replace}, once a second read confirms it.
     */
    void offer(BreakerSnapshot snapshot) {
        cached.accumulateAndGet(snapshot, (current, next) ->
                current == null || next.generation() >= current.generation() ? next : current);
    }

    void replace(BreakerSnapshot snapshot) {
        cached.set(snapshot);
    }
}
