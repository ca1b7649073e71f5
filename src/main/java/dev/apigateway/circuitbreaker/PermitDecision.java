package dev.apigateway.circuitbreaker;

import dev.apigateway.circuitbreaker.BreakerUpdate.Outcome;
import dev.apigateway.circuitbreaker.Permit.Source;
import java.util.UUID;

/**
 * Whether a request may call its route's upstream, and what its outcome changes. A CLOSED route acquires and
 * succeeds from the cache without a store call; the store is written on failures, on the success that resets a
 * non-zero count, and by the probe. An OPEN route rejects from the cache until its opened-until passes; then one
 * script call tries to take the probe. The same decision runs on the fallback breakers when the store cannot be
 * used ({@link FallbackBreakers}).
 */
final class PermitDecision {

    private final BreakerRegistry registry;
    private final BreakerStore shared;
    private final FallbackBreakers fallback;

    PermitDecision(BreakerRegistry registry, BreakerStore shared, FallbackBreakers fallback) {
        this.registry = registry;
        this.shared = shared;
        this.fallback = fallback;
    }

    Permit acquire(RouteBreaker rb) {
        if (!registry.storeUsable()) {
            return acquireLocal(rb);
        }
        BreakerSnapshot s = rb.cached();
        if (s == null) {
            BreakerSnapshot read = registry.storeCall(() -> shared.read(rb.route, registry.storeNow()));
            if (read == null) {
                return acquireLocal(rb);
            }
            registry.observed(rb, read);
            s = rb.cached();
        }
        return decide(rb, s, registry.now(), false);
    }

    void onSuccess(RouteBreaker rb, Permit permit) {
        if (permit.source() == Source.STORE) {
            BreakerSnapshot s = rb.cached();
            boolean resets = s != null && s.generation() == permit.generation() && s.failures() > 0;
            if (!permit.probe() && !resets) {
                return; // a healthy CLOSED route: nothing to write
            }
            if (registry.storeUsable()) {
                BreakerUpdate u = registry.storeCall(() -> shared.recordSuccess(rb.route, permit.generation(),
                        permit.probeToken(), registry.storeNow()));
                if (u != null) {
                    registry.accept(rb, u, false, false);
                    return;
                }
            }
        }
        registry.accept(rb, fallback.forRoute(rb, registry.offsetMs())
                .recordSuccess(rb.route, permit.generation(), permit.probeToken(), null), false, true);
    }

    void onFailure(RouteBreaker rb, Permit permit) {
        if (permit.source() == Source.STORE && registry.storeUsable()) {
            BreakerUpdate u = registry.storeCall(() -> shared.recordFailure(rb.route, permit.generation(),
                    permit.probeToken(), rb.policy, registry.storeNow()));
            if (u != null) {
                registry.accept(rb, u, false, false);
                return;
            }
        }
        // the store cannot take it: the fallback, seeded from the shared state, counts it
        registry.accept(rb, fallback.forRoute(rb, registry.offsetMs())
                .recordFailure(rb.route, permit.generation(), permit.probeToken(), rb.policy, null), false, true);
    }

    private Permit acquireLocal(RouteBreaker rb) {
        BreakerSnapshot s = fallback.forRoute(rb, registry.offsetMs()).read(rb.route, null);
        return decide(rb, s, registry.localNow(), true);
    }

    private Permit decide(RouteBreaker rb, BreakerSnapshot s, long now, boolean local) {
        Source source = local ? Source.LOCAL : Source.STORE;
        return switch (s.state()) {
            case CLOSED -> new Permit(rb.route, s.generation(), false, "", source);
            case OPEN -> {
                if (now < s.openedUntilMs()) {
                    throw CircuitOpenException.retryAfterMillis(rb.route, s.openedUntilMs() - now);
                }
                yield acquireProbe(rb, local);
            }
            case HALF_OPEN -> {
                if (now < s.probeExpiresMs()) {
                    throw CircuitOpenException.retryAfterMillis(rb.route, s.probeExpiresMs() - now);
                }
                yield acquireProbe(rb, local);
            }
        };
    }

    private Permit acquireProbe(RouteBreaker rb, boolean local) {
        if (!rb.probing.compareAndSet(false, true)) {
            throw new CircuitOpenException(rb.route, 1); // another request here is asking the store right now
        }
        String token = registry.instanceId() + ":" + UUID.randomUUID();
        BreakerUpdate u;
        try {
            u = local ? fallback.forRoute(rb, registry.offsetMs()).tryAcquireProbe(rb.route, token, rb.policy, null)
                    : registry.storeCall(() -> shared.tryAcquireProbe(rb.route, token, rb.policy, registry.storeNow()));
            if (u != null) {
                registry.accept(rb, u, false, local);
            }
        } finally {
            rb.probing.set(false);
        }
        if (u == null) {
            return acquireLocal(rb);
        }
        Source source = local ? Source.LOCAL : Source.STORE;
        BreakerSnapshot s = u.after();
        if (u.outcome() == Outcome.PROBE_WON) {
            Permit probe = new Permit(rb.route, s.generation(), true, token, source);
            registry.probeDeadline(rb, probe, s.probeExpiresMs() - (local ? registry.localNow() : registry.now()));
            return probe;
        }
        long now = local ? registry.localNow() : registry.now();
        return switch (s.state()) {
            case CLOSED -> new Permit(rb.route, s.generation(), false, "", source); // closed meanwhile
            case OPEN -> throw CircuitOpenException.retryAfterMillis(rb.route, s.openedUntilMs() - now);
            case HALF_OPEN -> throw CircuitOpenException.retryAfterMillis(rb.route, s.probeExpiresMs() - now);
        };
    }
}
