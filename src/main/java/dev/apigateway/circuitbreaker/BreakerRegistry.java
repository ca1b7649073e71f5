package dev.apigateway.circuitbreaker;

import dev.apigateway.circuitbreaker.BreakerUpdate.Outcome;
import dev.apigateway.circuitbreaker.Permit.Source;
import dev.apigateway.observability.ContextAwareEventBuilder;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route's circuit breaker. A route's processor calls {@link #acquire(String, BreakerPolicy)} before
 * the upstream call and {@link #onSuccess(Permit)} or {@link #onFailure(Permit)} after it.
 *
 * <p>Cost: the store's state is cached per route. A CLOSED route acquires and succeeds without a store
 * call; the store is written on failures, on the success that resets a non-zero count, and by the
 * probe. An OPEN route rejects from the cache until its opened-until passes; then one script call tries
 * to take the probe. Other instances learn of transitions from pub/sub at once ({@link #applyRemote}) and
 * from a periodic re-read ({@link #refresh()}, which also notices that Redis is back).
 *
 * <p>Failure policy, decided here: when the shared store cannot be reached, each instance falls back to
 * a local Resilience4j breaker per route with the same thresholds, so the upstream stays protected; an
 * OPEN state last seen in the store is still honoured until it runs out. When the store answers again
 * the shared state takes over and the local breakers are dropped. Local failures are not replayed into
 * the store.
 */
public final class BreakerRegistry implements AutoCloseable {

    public static final String TRANSITIONS_METER = "gateway.circuit.breaker.transitions";
    public static final String STATE_METER = "gateway.circuit.breaker.state";
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(BreakerRegistry.class);

    private final BreakerStore store;
    private final BreakerPolicy defaults;
    private final MeterRegistry meters;
    private final Clock clock;
    private final boolean storeClock;
    private final Duration refreshInterval;
    private final String instanceId = UUID.randomUUID().toString().substring(0, 8);
    private final ConcurrentMap<String, RouteBreaker> routes = new ConcurrentHashMap<>();
    private volatile boolean storeReachable = true;
    /** store clock minus local clock, so cached deadlines written on the store's clock compare right here */
    private volatile long offsetMs;
    private ScheduledExecutorService refresher;

    /**
     * @param store           where the state lives
     * @param defaults        policy for routes that do not give their own
     * @param meters          where transitions and states are counted
     * @param clock           local clock (tests drive it)
     * @param storeClock      true: store operations run on the store's clock (production); false: on
     *                        {@code clock}, passed to every script as {@code now} (tests)
     * @param refreshInterval how often a shared store is re-read (safety net for lost pub/sub messages)
     */
    public BreakerRegistry(BreakerStore store, BreakerPolicy defaults, MeterRegistry meters, Clock clock,
                           boolean storeClock, Duration refreshInterval) {
        this.store = store;
        this.defaults = defaults;
        this.meters = meters;
        this.clock = clock;
        this.storeClock = storeClock;
        this.refreshInterval = refreshInterval;
    }

    public String instanceId() {
        return instanceId;
    }

    public BreakerPolicy defaults() {
        return defaults;
    }

    /** Starts the periodic re-read for a shared store. */
    public synchronized void start() {
        if (store.shared() && refresher == null) {
            refresher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "circuit-breaker-refresh");
                t.setDaemon(true);
                return t;
            });
            long ms = refreshInterval.toMillis();
            refresher.scheduleWithFixedDelay(this::refreshQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void close() {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher = null;
        }
    }

    /** {@link #acquire(String, BreakerPolicy)} with the default policy. */
    public Permit acquire(String routeId) {
        return acquire(routeId, null);
    }

    /**
     * Asks to call the route's upstream once.
     *
     * @param policy the route's settings; null for the defaults (or those the route was last given)
     * @throws CircuitOpenException when the breaker is OPEN, or HALF_OPEN with its probe out
     */
    public Permit acquire(String routeId, BreakerPolicy policy) {
        RouteBreaker rb = route(routeId, policy);
        if (!storeUsable()) {
            return acquireLocal(rb);
        }
        BreakerSnapshot s = rb.cached();
        if (s == null) {
            BreakerSnapshot read = storeCall(() -> store.read(rb.route, storeNow()));
            if (read == null) {
                return acquireLocal(rb);
            }
            observed(read);
            rb.offer(read);
            s = rb.cached();
        }
        long now = now();
        return switch (s.state()) {
            case CLOSED -> new Permit(rb.route, s.generation(), false, "", Source.STORE);
            case OPEN -> {
                if (now < s.openedUntilMs()) {
                    throw CircuitOpenException.retryAfterMillis(rb.route, s.openedUntilMs() - now);
                }
                yield acquireProbe(rb);
            }
            case HALF_OPEN -> {
                if (now < s.probeExpiresMs()) {
                    throw CircuitOpenException.retryAfterMillis(rb.route, s.probeExpiresMs() - now);
                }
                yield acquireProbe(rb);
            }
        };
    }

    /** The upstream answered and it was not a failure (anything but 5xx, timeout, connection error). */
    public void onSuccess(Permit permit) {
        RouteBreaker rb = routes.get(permit.routeId());
        if (rb == null) {
            return;
        }
        if (permit.source() == Source.LOCAL) {
            CircuitBreaker local = rb.local;
            if (local != null) {
                local.onSuccess(0, TimeUnit.NANOSECONDS);
            }
            return;
        }
        BreakerSnapshot s = rb.cached();
        boolean resets = s != null && s.generation() == permit.generation() && s.failures() > 0;
        if ((permit.probe() || resets) && storeUsable()) {
            BreakerUpdate u = storeCall(() -> store.recordSuccess(rb.route, permit.generation(), permit.probeToken(),
                    storeNow()));
            if (u != null) {
                accept(rb, u);
            }
        }
        // otherwise a healthy CLOSED route: nothing to write
    }

    /** The upstream failed: a 5xx, a timeout or a connection error. */
    public void onFailure(Permit permit) {
        RouteBreaker rb = routes.get(permit.routeId());
        if (rb == null) {
            return;
        }
        if (permit.source() == Source.STORE && storeUsable()) {
            BreakerUpdate u = storeCall(() -> store.recordFailure(rb.route, permit.generation(), permit.probeToken(),
                    rb.policy, storeNow()));
            if (u != null) {
                accept(rb, u);
                return;
            }
        }
        if (permit.source() == Source.LOCAL && storeUsable()) {
            return; // let through by the fallback, answered after the shared state took over again
        }
        local(rb).onError(0, TimeUnit.NANOSECONDS, LocalBreakers.UPSTREAM_FAILURE);
    }

    /**
     * An operator forces the route's breaker OPEN (for another reset timeout) or CLOSED (count cleared),
     * in the whole cluster; with the store unreachable, on this instance only (the view says so).
     */
    public BreakerView force(String routeId, BreakerState target) {
        if (target == BreakerState.HALF_OPEN) {
            throw new IllegalArgumentException("a breaker can be forced OPEN or CLOSED, not " + target);
        }
        RouteBreaker rb = route(routeId, null);
        if (storeUsable()) {
            BreakerUpdate u = storeCall(() -> store.force(rb.route, target, rb.policy, storeNow()));
            if (u != null) {
                accept(rb, u, true);
                return view(rb);
            }
        }
        forceLocal(rb, target);
        return view(rb);
    }

    /** Every route's breaker, re-read from a shared store first so the operator sees the cluster's state. */
    public List<BreakerView> breakers() {
        refreshQuietly();
        return routes.values().stream().map(this::view).sorted(Comparator.comparing(BreakerView::route)).toList();
    }

    public boolean knows(String routeId) {
        return routes.containsKey(routeId);
    }

    /**
     * Re-reads every known route from a shared store; the safety net for lost pub/sub messages, and how
     * the registry notices that an unreachable store answers again.
     */
    public void refresh() {
        if (!store.shared() || !store.available()) {
            return;
        }
        for (RouteBreaker rb : routes.values()) {
            BreakerSnapshot s;
            try {
                s = store.read(rb.route, storeNow());
            } catch (RuntimeException e) {
                storeFailed(e);
                return;
            }
            observed(s);
            rb.offer(s);
        }
        if (!storeReachable) {
            storeReachable = true;
            routes.values().forEach(rb -> rb.local = null);
            log.atInfo().addKeyValue("event", "circuit_breaker_store_restored")
                    .log("circuit breaker store answers again: shared breaker state in use");
        }
    }

    /** A transition published by another instance: update the cache, no log, no count (it did those). */
    public void applyRemote(BreakerEvent event) {
        if (instanceId.equals(event.instance())) {
            return;
        }
        RouteBreaker rb = routes.get(event.route());
        if (rb != null) {
            rb.offer(event.after());
        }
    }

    // ---- internals ----------------------------------------------------------------------------------

    private Permit acquireProbe(RouteBreaker rb) {
        if (!rb.probing.compareAndSet(false, true)) {
            throw new CircuitOpenException(rb.route, 1); // another request here is asking the store right now
        }
        try {
            String token = instanceId + ":" + UUID.randomUUID();
            BreakerUpdate u = storeCall(() -> store.tryAcquireProbe(rb.route, token, rb.policy, storeNow()));
            if (u == null) {
                return acquireLocal(rb);
            }
            accept(rb, u);
            BreakerSnapshot s = u.after();
            if (u.outcome() == Outcome.PROBE_WON) {
                return new Permit(rb.route, s.generation(), true, token, Source.STORE);
            }
            long now = now();
            return switch (s.state()) {
                case CLOSED -> new Permit(rb.route, s.generation(), false, "", Source.STORE); // closed meanwhile
                case OPEN -> throw CircuitOpenException.retryAfterMillis(rb.route, s.openedUntilMs() - now);
                case HALF_OPEN -> throw CircuitOpenException.retryAfterMillis(rb.route, s.probeExpiresMs() - now);
            };
        } finally {
            rb.probing.set(false);
        }
    }

    private Permit acquireLocal(RouteBreaker rb) {
        long now = now();
        BreakerSnapshot s = rb.cached();
        if (s != null && s.state() == BreakerState.OPEN && now < s.openedUntilMs()) {
            // the store said OPEN before it went away: that still holds until it runs out
            throw CircuitOpenException.retryAfterMillis(rb.route, s.openedUntilMs() - now);
        }
        CircuitBreaker local = local(rb);
        if (!local.tryAcquirePermission()) {
            long wait = local.getState() == CircuitBreaker.State.OPEN ? rb.localOpenedUntilMs - clock.millis() : 0;
            throw CircuitOpenException.retryAfterMillis(rb.route, wait);
        }
        return new Permit(rb.route, -1, local.getState() == CircuitBreaker.State.HALF_OPEN, "", Source.LOCAL);
    }

    private void forceLocal(RouteBreaker rb, BreakerState target) {
        CircuitBreaker local = local(rb);
        rb.forcing = true;
        try {
            if (target == BreakerState.OPEN && local.getState() != CircuitBreaker.State.OPEN) {
                local.transitionToOpenState();
            } else if (target == BreakerState.CLOSED && local.getState() != CircuitBreaker.State.CLOSED) {
                local.transitionToClosedState();
            }
        } finally {
            rb.forcing = false;
        }
        BreakerSnapshot s = rb.cached();
        if (target == BreakerState.CLOSED && s != null && s.state() != BreakerState.CLOSED) {
            // stop honouring the store's last OPEN here; the next read from the store replaces this
            rb.replace(new BreakerSnapshot(rb.route, BreakerState.CLOSED, 0, 0, 0, s.generation(), "", 0,
                    s.observedAtMs()));
        }
    }

    private void accept(RouteBreaker rb, BreakerUpdate u) {
        accept(rb, u, false);
    }

    private void accept(RouteBreaker rb, BreakerUpdate u, boolean forced) {
        observed(u.after());
        if (u.transitioned()) {
            transition(rb, u.from(), u.to(), forced, u.after(), Source.STORE);
        } else {
            rb.offer(u.after());
        }
    }

    /**
     * The one place every transition passes: checks it against the table, records it in the cache, logs
     * {@code circuit_breaker_transition} once, counts it, and tells the other instances.
     */
    private void transition(RouteBreaker rb, BreakerState from, BreakerState to, boolean forced,
                            BreakerSnapshot after, Source source) {
        from.requireTransitionTo(to, forced);
        if (after != null) {
            rb.offer(after);
        }
        String sourceLabel = source == Source.LOCAL ? "local" : storeLabel();
        // on a request's thread its request_id, route and client_ip are in the log context: not added twice
        ContextAwareEventBuilder.of(log.atInfo())
                .addKeyValue("event", "circuit_breaker_transition")
                .addKeyValue("route", rb.route)
                .addKeyValue("from", from.label())
                .addKeyValue("to", to.label())
                .addKeyValue("forced", forced)
                .addKeyValue("source", sourceLabel)
                .log("circuit breaker of route {} went {} -> {}", rb.route, from.label(), to.label());
        meters.counter(TRANSITIONS_METER, "route", rb.route, "from", from.label(), "to", to.label()).increment();
        if (source == Source.STORE && store.shared() && after != null) {
            try {
                store.publish(new BreakerEvent(instanceId, from, to, forced, after));
            } catch (RuntimeException e) {
                // the others catch up at their next periodic read
                ContextAwareEventBuilder.of(log.atWarn()).addKeyValue("event", "circuit_breaker_publish_failed")
                        .addKeyValue("route", rb.route)
                        .log("could not publish circuit breaker transition: {}", e.toString());
            }
        }
    }

    private void onLocalTransition(RouteBreaker rb, CircuitBreakerOnStateTransitionEvent event) {
        BreakerState from = LocalBreakers.map(event.getStateTransition().getFromState());
        BreakerState to = LocalBreakers.map(event.getStateTransition().getToState());
        if (to == BreakerState.OPEN) {
            rb.localOpenedUntilMs = clock.millis() + rb.policy.resetTimeout().toMillis();
        }
        if (from != null && to != null) {
            transition(rb, from, to, rb.forcing, null, Source.LOCAL);
        }
    }

    private CircuitBreaker local(RouteBreaker rb) {
        CircuitBreaker local = rb.local;
        if (local == null) {
            synchronized (rb) {
                local = rb.local;
                if (local == null) {
                    local = LocalBreakers.create(rb.route, rb.policy, clock, e -> onLocalTransition(rb, e));
                    rb.local = local;
                }
            }
        }
        return local;
    }

    private RouteBreaker route(String routeId, BreakerPolicy policy) {
        RouteBreaker rb = routes.get(routeId);
        if (rb == null) {
            rb = routes.computeIfAbsent(routeId, id -> newRoute(id, policy == null ? defaults : policy));
        } else if (policy != null && rb.policy != policy && !rb.policy.equals(policy)) {
            rb.policy = policy;
            rb.local = null; // the fallback is rebuilt with the new thresholds when next needed
        }
        return rb;
    }

    private RouteBreaker newRoute(String routeId, BreakerPolicy policy) {
        if (routeId == null || routeId.isBlank() || routeId.indexOf('{') >= 0 || routeId.indexOf('}') >= 0) {
            throw new IllegalArgumentException("circuit breaker route id must be non-blank without braces, was '"
                    + routeId + "'");
        }
        RouteBreaker rb = new RouteBreaker(routeId, policy);
        for (BreakerState state : BreakerState.values()) {
            Gauge.builder(STATE_METER, rb, r -> effectiveState(r) == state ? 1 : 0)
                    .tag("route", routeId)
                    .tag("state", state.label())
                    .description("1 for the route's current circuit breaker state, 0 for the others")
                    .register(meters);
        }
        return rb;
    }

    private BreakerState effectiveState(RouteBreaker rb) {
        CircuitBreaker local = rb.local;
        if (!storeReachable && local != null) {
            BreakerState mapped = LocalBreakers.map(local.getState());
            if (mapped != null) {
                return mapped;
            }
        }
        BreakerSnapshot s = rb.cached();
        return s == null ? BreakerState.CLOSED : s.state();
    }

    private BreakerView view(RouteBreaker rb) {
        BreakerPolicy p = rb.policy;
        BreakerSnapshot s = rb.cached();
        long generation = s == null ? 0 : s.generation();
        CircuitBreaker local = rb.local;
        if (!storeReachable && local != null) {
            BreakerState state = effectiveState(rb);
            return new BreakerView(rb.route, state, local.getMetrics().getNumberOfFailedCalls(),
                    state == BreakerState.OPEN ? Instant.ofEpochMilli(rb.localOpenedUntilMs) : null,
                    state == BreakerState.HALF_OPEN, null, generation, "local",
                    p.failureThreshold(), p.window().toSeconds(), p.resetTimeout().toSeconds());
        }
        if (s == null) {
            s = BreakerSnapshot.initial(rb.route, now());
        }
        return new BreakerView(rb.route, s.state(), s.failures(),
                s.state() == BreakerState.OPEN ? Instant.ofEpochMilli(s.openedUntilMs()) : null,
                s.probeHeld(now()), s.probeHeld(now()) ? Instant.ofEpochMilli(s.probeExpiresMs()) : null,
                s.generation(), storeLabel(), p.failureThreshold(), p.window().toSeconds(),
                p.resetTimeout().toSeconds());
    }

    private String storeLabel() {
        return store.shared() ? "shared" : "memory";
    }

    private boolean storeUsable() {
        return storeReachable && store.available();
    }

    /** Runs a store operation; null when the store failed (then the local breaker takes over). */
    private <T> T storeCall(Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalBreakerTransitionException e) {
            throw e;
        } catch (RuntimeException e) {
            storeFailed(e);
            return null;
        }
    }

    private void storeFailed(RuntimeException e) {
        if (storeReachable) {
            storeReachable = false;
            log.atWarn().addKeyValue("event", "circuit_breaker_local_fallback")
                    .log("circuit breaker store unreachable, local breakers protect each route: {}", e.toString());
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("circuit breaker refresh failed", e);
        }
    }

    private void observed(BreakerSnapshot s) {
        if (storeClock) {
            offsetMs = s.observedAtMs() - clock.millis();
        }
    }

    private long now() {
        return clock.millis() + offsetMs;
    }

    private Long storeNow() {
        return storeClock ? null : clock.millis();
    }
}
