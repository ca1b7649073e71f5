package dev.apigateway.circuitbreaker;

/**
 * Where breaker state lives: Redis for a cluster ({@link RedisBreakerStore}), or this process alone
 * ({@link InMemoryBreakerStore}). Every mutation is one atomic operation. {@code now} is the time in
 * milliseconds to work with, or null for the store's own clock (tests drive time through it).
 *
 * <p>The Redis implementation throws an unchecked exception (from its {@link dev.apigateway.store.SharedStore}) when the store
 * cannot be reached; {@link BreakerRegistry} then falls back to a local breaker.
 */
public interface BreakerStore {

    /** True when other instances share this store (then transitions are published and re-read). */
    boolean shared();

    /** False while the store is known to be unreachable (in backoff); no call should be made then. */
    boolean available();

    BreakerSnapshot read(String route, Long now);

    BreakerUpdate recordFailure(String route, long generation, String probeToken, BreakerPolicy policy, Long now);

    BreakerUpdate recordSuccess(String route, long generation, String probeToken, Long now);

    BreakerUpdate tryAcquireProbe(String route, String holder, BreakerPolicy policy, Long now);

    BreakerUpdate force(String route, BreakerState target, BreakerPolicy policy, Long now);

    /** Tells the other instances about a transition; nothing to do for a store of one instance. */
    void publish(BreakerEvent event);
}
