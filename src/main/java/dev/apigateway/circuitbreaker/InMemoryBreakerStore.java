package dev.apigateway.circuitbreaker;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Breaker state for a single instance: the {@link BreakerStateMachine} rules applied atomically per route
 * (the same rules the Redis scripts apply). Used when no shared store is configured.
 */
public final class InMemoryBreakerStore implements BreakerStore {

    private final ConcurrentMap<String, BreakerSnapshot> breakers = new ConcurrentHashMap<>();
    private final Clock clock;

    public InMemoryBreakerStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public BreakerSnapshot read(String route, Long now) {
        long at = at(now);
        return current(route, at).observedAt(at);
    }

    @Override
    public BreakerUpdate recordFailure(String route, long generation, String probeToken, BreakerPolicy policy, Long now) {
        long at = at(now);
        return apply(route, s -> BreakerStateMachine.recordFailure(s, generation, probeToken, policy, at), at);
    }

    @Override
    public BreakerUpdate recordSuccess(String route, long generation, String probeToken, Long now) {
        long at = at(now);
        return apply(route, s -> BreakerStateMachine.recordSuccess(s, generation, probeToken, at), at);
    }

    @Override
    public BreakerUpdate tryAcquireProbe(String route, String holder, BreakerPolicy policy, Long now) {
        long at = at(now);
        return apply(route, s -> BreakerStateMachine.tryAcquireProbe(s, holder, policy, at), at);
    }

    @Override
    public BreakerUpdate force(String route, BreakerState target, BreakerPolicy policy, Long now) {
        long at = at(now);
        return apply(route, s -> BreakerStateMachine.force(s, target, policy, at), at);
    }

    @Override
    public void publish(BreakerEvent event) {
        // one instance: nobody to tell
    }

    /** Puts a breaker's state as it is (the fallback starts from the last shared state). */
    void seed(BreakerSnapshot snapshot) {
        breakers.put(snapshot.route(), snapshot);
    }

    boolean holds(String route) {
        return breakers.containsKey(route);
    }

    /** The route's state, or null when never written or seeded. */
    BreakerSnapshot peek(String route) {
        return breakers.get(route);
    }

    void forget(String route) {
        breakers.remove(route);
    }

    void clear() {
        breakers.clear();
    }

    private BreakerUpdate apply(String route, Function<BreakerSnapshot, BreakerUpdate> rule, long at) {
        BreakerUpdate[] result = new BreakerUpdate[1];
        breakers.compute(route, (r, s) -> {
            result[0] = rule.apply(s == null ? BreakerSnapshot.initial(r, at) : s);
            return result[0].after();
        });
        return result[0];
    }

    private BreakerSnapshot current(String route, long at) {
        BreakerSnapshot s = breakers.get(route);
        return s == null ? BreakerSnapshot.initial(route, at) : s;
    }

    private long at(Long now) {
        return now != null ? now : clock.millis();
    }
}
