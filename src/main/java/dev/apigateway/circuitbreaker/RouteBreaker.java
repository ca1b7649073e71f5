package dev.apigateway.circuitbreaker;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** One route's breaker inside {@link BreakerRegistry}: the cached store state and the local fallback. */
final class RouteBreaker {

    final String route;
    volatile BreakerPolicy policy;
    /** The store's state as last seen (script reply, pub/sub event or periodic read); null before the first read. */
    private final AtomicReference<BreakerSnapshot> cached = new AtomicReference<>();
    /** Resilience4j breaker used while the shared store is unreachable; made on first need. */
    volatile CircuitBreaker local;
    volatile long localOpenedUntilMs;
    /** One probe attempt at a time per instance: the others are rejected without a store call. */
    final AtomicBoolean probing = new AtomicBoolean();
    /** Set while an operator forces the local breaker, so its transition event is marked forced. */
    volatile boolean forcing;

    RouteBreaker(String route, BreakerPolicy policy) {
        this.route = route;
        this.policy = policy;
    }

    BreakerSnapshot cached() {
        return cached.get();
    }

    /**
     * Keeps the newest observation: a reply that arrives late must not undo a newer one. Within one millisecond the
     * higher generation is the newer (every transition starts a generation): another instance's OPEN event must not
     * be undone by this instance's own failure reply from the same millisecond that arrives after it.
     */
    void offer(BreakerSnapshot snapshot) {
        cached.accumulateAndGet(snapshot, (current, next) -> current == null
                || next.observedAtMs() > current.observedAtMs()
                || next.observedAtMs() == current.observedAtMs() && next.generation() >= current.generation()
                ? next : current);
    }

    void replace(BreakerSnapshot snapshot) {
        cached.set(snapshot);
    }
}
