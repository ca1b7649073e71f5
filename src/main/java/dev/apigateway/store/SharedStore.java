package dev.apigateway.store;

import java.util.function.Supplier;

/**
 * The one way the rate limiter and the circuit breaker reach the shared store: every call bounded, counted and
 * backed off in one place ({@link StoreGuard} for Redis). The call runs on the caller's thread while the store
 * answers; nothing here allocates per call.
 */
public interface SharedStore {

    /**
     * Runs one store operation.
     *
     * @param operation low-cardinality name for metrics and logs, e.g. {@code rate_limit}
     * @return what {@code call} returned
     * @throws StoreUnavailableException when the store is in an outage backoff (not called, {@link
     *                                   StoreUnavailableException#skipped()}), or the call failed or timed out
     */
    <T> T call(String operation, Supplier<T> call);

    /** False while the store is in an outage backoff: callers should not even try. */
    boolean isAvailable();

    /** No backoff, no counting, no bound: runs the call and wraps a failure (tests, and stores of one process). */
    static SharedStore direct() {
        return new SharedStore() {
            @Override
            public <T> T call(String operation, Supplier<T> call) {
                try {
                    return call.get();
                } catch (RuntimeException e) {
                    throw new StoreUnavailableException(operation, false, java.time.Duration.ZERO,
                            "store " + operation + " failed: " + e, e);
                }
            }

            @Override
            public boolean isAvailable() {
                return true;
            }
        };
    }
}
