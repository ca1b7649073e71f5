package dev.apigateway.circuitbreaker;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The breakers each instance keeps for itself while the shared store cannot be used: the same rules as the
 * shared ones ({@link BreakerStateMachine} in an {@link InMemoryBreakerStore}, so the failure window, the probe
 * lease and the generations hold here too, and the breaker contract suite runs against it), each route seeded
 * from the last shared state seen: a known OPEN stays OPEN until its deadline, a probe out stays out until its
 * lease ends, failures already counted still count. Local transitions are logged and counted, never replayed
 * into the store.
 *
 * <p>Failure policy, decided here: the fallback decides when the store is in its outage backoff (then for every
 * request) or when the one store call a decision needed failed (then for that request). A single failed call does
 * not move the other routes or requests off the shared state.
 */
final class FallbackBreakers {

    private static final Logger log = LoggerFactory.getLogger(BreakerRegistry.class);

    private final InMemoryBreakerStore local;
    private final Clock clock;
    private volatile boolean active;

    FallbackBreakers(Clock clock) {
        this.clock = clock;
        this.local = new InMemoryBreakerStore(clock);
    }

    /** The route's fallback store, seeded from {@code rb}'s last shared state (store clock + offset) at first use. */
    InMemoryBreakerStore forRoute(RouteBreaker rb, long offsetMs) {
        if (!local.holds(rb.route)) {
            BreakerSnapshot s = rb.cached();
            long now = clock.millis();
            local.seed(s == null ? BreakerSnapshot.initial(rb.route, now) : new BreakerSnapshot(rb.route, s.state(),
                    s.failures(), toLocal(s.lastFailureMs(), offsetMs), toLocal(s.openedUntilMs(), offsetMs),
                    s.generation(), s.probeHolder(), toLocal(s.probeExpiresMs(), offsetMs), now));
        }
        return local;
    }

    /** The route's fallback state, null when it has none. */
    BreakerSnapshot peek(String route) {
        return local.peek(route);
    }

    /** A newer shared state was seen: the next fallback use starts from it. */
    void forget(String route) {
        local.forget(route);
    }

    boolean active() {
        return active;
    }

    /** Follows the store's availability; logged once per switch. On the way back the fallback state is dropped. */
    synchronized void storeUsable(boolean usable) {
        if (usable != active) {
            return;
        }
        active = !usable;
        if (usable) {
            local.clear();
            log.atInfo().addKeyValue("event", "circuit_breaker_store_restored")
                    .log("circuit breaker store answers again: shared breaker state in use");
        } else {
            log.atWarn().addKeyValue("event", "circuit_breaker_local_fallback")
                    .log("circuit breaker store unavailable, local breakers protect each route");
        }
    }

    /** The store itself, for the contract suite. */
    InMemoryBreakerStore store() {
        return local;
    }

    private static long toLocal(long storeMs, long offsetMs) {
        return storeMs == 0 ? 0 : storeMs - offsetMs;
    }
}
