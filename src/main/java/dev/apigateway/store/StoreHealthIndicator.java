package dev.apigateway.store;

import dev.apigateway.config.GatewayProperties.FailMode;
import java.util.function.Supplier;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Health contributor {@code store}, part of the readiness group: DOWN only when a shared store is
 * configured, cannot be reached, and the rate-limit fail mode is {@code closed} (the gateway would
 * answer 503 to every limited request). Otherwise UP, with the store's state in the details.
 */
public class StoreHealthIndicator implements HealthIndicator {

    private final StateStoreSelection selection;
    private final SharedStore guard;
    private final Supplier<?> ping;
    private final FailMode failMode;

    /** For {@code STATE_STORE=memory}: always UP. */
    public static StoreHealthIndicator memory(StateStoreSelection selection) {
        return new StoreHealthIndicator(selection, null, null, null);
    }

    /** For a shared store: {@code ping} runs through {@code guard} unless the guard already knows the store is down. */
    public StoreHealthIndicator(StateStoreSelection selection, SharedStore guard, Supplier<?> ping, FailMode failMode) {
        this.selection = selection;
        this.guard = guard;
        this.ping = ping;
        this.failMode = failMode;
    }

    @Override
    public Health health() {
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
                error = e.getMessage();
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
}
