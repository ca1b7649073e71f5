package dev.apigateway.store;

import dev.apigateway.config.GatewayProperties.FailMode;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.core.NestedExceptionUtils;

/**
 * Health contributor {@code store}, part of the readiness group: DOWN only when a shared store is
 * configured, cannot be reached, and the rate-limit fail mode is {@code closed} (the gateway would
 * answer 503 to every limited request). Otherwise UP, with the store's state in the details.
 *
 * <p>A result is kept for {@link #CACHE_FOR} (probes, scrapes and load balancers hitting readiness cost at most one
 * store PING a second between them), and concurrent callers of an expired result wait for one PING, not one each.
 */
public class StoreHealthIndicator implements HealthIndicator {

    static final Duration CACHE_FOR = Duration.ofSeconds(1);

    private record Cached(Health health, long atNanos) {
    }

    private final StateStoreSelection selection;
    private final SharedStore guard;
    private final Supplier<?> ping;
    private final FailMode failMode;
    private final long cacheNanos;
    private final LongSupplier nanoTime;
    private volatile Cached cached;

    /** For {@code STATE_STORE=memory}: always UP. */
    public static StoreHealthIndicator memory(StateStoreSelection selection) {
        return new StoreHealthIndicator(selection, null, null, null);
    }

    /** For a shared store: {@code ping} runs through {@code guard} unless the guard already knows the store is down. */
    public StoreHealthIndicator(StateStoreSelection selection, SharedStore guard, Supplier<?> ping, FailMode failMode) {
        this(selection, guard, ping, failMode, CACHE_FOR, System::nanoTime);
    }

    StoreHealthIndicator(StateStoreSelection selection, SharedStore guard, Supplier<?> ping, FailMode failMode,
                         Duration cacheFor, LongSupplier nanoTime) {
        this.selection = selection;
        this.guard = guard;
        this.ping = ping;
        this.failMode = failMode;
        this.cacheNanos = cacheFor.toNanos();
        this.nanoTime = nanoTime;
    }

    @Override
    public Health health() {
        Cached c = cached;
        if (c != null && nanoTime.getAsLong() - c.atNanos() < cacheNanos) {
            return c.health();
        }
        synchronized (this) {
            c = cached;
            long now = nanoTime.getAsLong();
            if (c == null || now - c.atNanos() >= cacheNanos) {
                c = new Cached(check(), now);
                cached = c;
            }
            return c.health();
        }
    }

    private Health check() {
        if (guard == null) {
            return Health.up().withDetail("store", "memory").withDetail("shared", false).build();
        }
        boolean reachable = guard.isAvailable();
        String error = null;
        if (reachable) {
            try {
                guard.call("health", ping);
            } catch (StoreUnavailableException e) {
                reachable = false;
                error = describe(e);
            }
        }
        Health.Builder health = reachable || failMode != FailMode.CLOSED ? Health.up() : Health.down();
        health.withDetail("store", selection.store().name().toLowerCase())
                .withDetail("reachable", reachable)
                .withDetail("failMode", failMode.name().toLowerCase());
        if (error != null) {
            health.withDetail("error", error);
        }
        return health.build();
    }

    /** The guard's message and the root cause, which says why: {@code ... (ConnectException: Connection refused)}. */
    private static String describe(StoreUnavailableException e) {
        Throwable root = NestedExceptionUtils.getMostSpecificCause(e);
        return root == e ? e.getMessage() : e.getMessage() + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
}
