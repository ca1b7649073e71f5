package dev.apigateway.circuitbreaker;

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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route's circuit breaker: the cache of the shared state per route, kept fresh by pub/sub
 * ({@link #applyRemote}) and a periodic re-read ({@link #refresh()}). A route's processor calls
 * {@link #acquire(String, BreakerPolicy)} before the upstream call and {@link #onSuccess(Permit)} or
 * {@link #onFailure(Permit)} after it; {@link PermitDecision} decides, {@link FallbackBreakers} stands in while
 * the store cannot be used, {@link BreakerTransitions} logs, counts and publishes every transition.
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
    private final FallbackBreakers fallback;
    private final BreakerTransitions transitions;
    private final PermitDecision permits;
    private final ProbeDeadlines probeDeadlines;
    /** store clock minus local clock, so cached deadlines written on the store's clock compare right here */
    private volatile long offsetMs;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "circuit-breaker-refresh");
        t.setDaemon(true);
        return t;
    });
    private boolean started;

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
        this.fallback = new FallbackBreakers(clock);
        this.transitions = new BreakerTransitions(store, meters, instanceId);
        this.permits = new PermitDecision(this, store, fallback);
        this.probeDeadlines = new ProbeDeadlines(scheduler);
    }

    public String instanceId() {
        return instanceId;
    }

    public BreakerPolicy defaults() {
        return defaults;
    }

    /** Starts the periodic re-read for a shared store. */
    public synchronized void start() {
        if (store.shared() && !started) {
            started = true;
            long ms = refreshInterval.toMillis();
            scheduler.scheduleWithFixedDelay(this::refreshQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void close() {
        scheduler.shutdownNow();
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
        return permits.acquire(route(routeId, policy));
    }

    /** The upstream answered and it was not a failure (anything but 5xx, timeout, connection error). */
    public void onSuccess(Permit permit) {
        RouteBreaker rb = routes.get(permit.routeId());
        if (rb != null && probeDeadlines.report(permit)) {
            permits.onSuccess(rb, permit);
        }
    }

    /** The upstream failed: a 5xx, a timeout or a connection error. */
    public void onFailure(Permit permit) {
        RouteBreaker rb = routes.get(permit.routeId());
        if (rb != null && probeDeadlines.report(permit)) {
            permits.onFailure(rb, permit);
        }
    }

    /**
     * An operator forces the route's breaker OPEN (for another reset timeout) or CLOSED (count cleared),
     * in the whole cluster; with the store unavailable, on this instance only (the view says so).
     */
    public BreakerView force(String routeId, BreakerState target) {
        if (target == BreakerState.HALF_OPEN) {
            throw new IllegalArgumentException("a breaker can be forced OPEN or CLOSED, not " + target);
        }
        RouteBreaker rb = route(routeId, null);
        BreakerUpdate u = storeUsable() ? storeCall(() -> store.force(rb.route, target, rb.policy, storeNow())) : null;
        if (u != null) {
            accept(rb, u, true, false);
        } else {
            accept(rb, fallback.forRoute(rb, offsetMs).force(rb.route, target, rb.policy, null), true, true);
        }
        return view(rb);
    }

    /**
     * Every route's breaker as this instance holds it, without a store call: the cache follows the cluster through
     * pub/sub (every transition, within the event latency) and the periodic re-read (failure counts another instance
     * added, every {@code refreshInterval}), so polling the operator endpoint costs the store nothing.
     */
    public List<BreakerView> breakers() {
        return routes.values().stream().map(this::view).sorted(Comparator.comparing(BreakerView::route)).toList();
    }

    public boolean knows(String routeId) {
        return routes.containsKey(routeId);
    }

    /**
     * Re-reads every known route from a shared store: the safety net for lost pub/sub messages, how a store
     * that went back to an older generation (state lost in a failover) is noticed, and, through the store's
     * guard, how a store that answers again is noticed.
     */
    public void refresh() {
        if (!store.shared()) {
            return;
        }
        for (RouteBreaker rb : routes.values()) {
            BreakerSnapshot s = storeCall(() -> store.read(rb.route, storeNow()));
            BreakerSnapshot cached = rb.cached();
            if (s != null && cached != null && s.generation() < cached.generation()) {
                s = storeCall(() -> store.read(rb.route, storeNow())); // confirmed by a second read
                if (s != null && s.generation() < cached.generation()) {
                    rb.replace(s);
                }
            }
            if (s == null) {
                break;
            }
            observed(rb, s);
        }
        storeUsable();
    }

    /** A transition published by another instance: update the cache, no log, no count (it did those). */
    public void applyRemote(BreakerEvent event) {
        RouteBreaker rb = routes.get(event.route());
        if (rb != null && !instanceId.equals(event.instance())) {
            rb.offer(event.after());
            fallback.forget(rb.route);
        }
    }

    /** Re-reads every route soon, off the caller's thread (after a pub/sub (re)subscription). */
    public void refreshSoon() {
        try {
            scheduler.execute(this::refreshQuietly);
        } catch (RejectedExecutionException closed) {
            // shutting down
        }
    }

    // ---- shared with the parts of the breaker ---------------------------------------------------------

    /** What one store (or fallback) operation did: cached (shared only) and, if it moved the breaker, a transition. */
    void accept(RouteBreaker rb, BreakerUpdate u, boolean forced, boolean local) {
        if (!local) {
            observed(rb, u.after());
        }
        if (u.transitioned()) {
            transitions.transition(u, forced, local);
        }
    }

    void observed(RouteBreaker rb, BreakerSnapshot s) {
        if (storeClock) {
            offsetMs = s.observedAtMs() - clock.millis();
        }
        rb.offer(s);
        fallback.forget(rb.route);
    }

    /** Whether the shared store may be asked; the fallback follows it. */
    boolean storeUsable() {
        boolean usable = store.available();
        if (usable == fallback.active()) {
            fallback.storeUsable(usable);
        }
        return usable;
    }

    /** Runs a store operation; null when it failed (the store's guard counted and logged it). */
    <T> T storeCall(Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalBreakerTransitionException e) {
            throw e;
        } catch (RuntimeException e) {
            log.debug("circuit breaker store call failed: {}", e.toString());
            return null;
        }
    }

    void probeDeadline(RouteBreaker rb, Permit probe, long leaseMillis) {
        probeDeadlines.watch(probe, leaseMillis, () -> permits.onFailure(rb, probe));
    }

    long offsetMs() {
        return offsetMs;
    }

    long now() {
        return clock.millis() + offsetMs;
    }

    long localNow() {
        return clock.millis();
    }

    Long storeNow() {
        return storeClock ? null : clock.millis();
    }

    // ---- internals ----------------------------------------------------------------------------------

    private RouteBreaker route(String routeId, BreakerPolicy policy) {
        RouteBreaker rb = routes.get(routeId);
        if (rb == null) {
            rb = routes.computeIfAbsent(routeId, id -> newRoute(id, policy == null ? defaults : policy));
        } else if (policy != null && rb.policy != policy && !rb.policy.equals(policy)) {
            rb.policy = policy;
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
            Gauge.builder(STATE_METER, rb, r -> current(r).state() == state ? 1 : 0)
                    .tag("route", routeId)
                    .tag("state", state.label())
                    .description("1 for the route's current circuit breaker state, 0 for the others")
                    .register(meters);
        }
        return rb;
    }

    /** The state requests meet: the fallback's while it decides, else the shared one (CLOSED before any read). */
    private BreakerSnapshot current(RouteBreaker rb) {
        BreakerSnapshot local = fallback.active() ? fallback.peek(rb.route) : null;
        if (local != null) {
            return local;
        }
        BreakerSnapshot s = rb.cached();
        return s == null ? BreakerSnapshot.initial(rb.route, now()) : s;
    }

    private BreakerView view(RouteBreaker rb) {
        BreakerPolicy p = rb.policy;
        boolean local = fallback.active() && fallback.peek(rb.route) != null;
        BreakerSnapshot s = current(rb);
        long now = local ? localNow() : now();
        return new BreakerView(rb.route, s.state(), s.failures(),
                s.state() == BreakerState.OPEN ? Instant.ofEpochMilli(s.openedUntilMs()) : null,
                s.probeHeld(now), s.probeHeld(now) ? Instant.ofEpochMilli(s.probeExpiresMs()) : null,
                s.generation(), local ? "local" : transitions.label(), p.failureThreshold(), p.window().toSeconds(),
                p.resetTimeout().toSeconds());
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("circuit breaker refresh failed", e);
        }
    }
}
