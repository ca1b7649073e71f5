package dev.apigateway.circuitbreaker;

import java.util.function.Supplier;

/**
 * How the breaker calls the shared store: bounded, counted and backed off in one place shared with the
 * rate limiter. At merge this is a one-line adapter over {@code dev.apigateway.store.StoreGuard}
 * ({@code guard::call} and {@code guard::isAvailable}); {@link #direct()} is the stand-in until then.
 */
public interface StoreCalls {

    /**
     * Runs one store operation.
     *
     * @throws RuntimeException (unchecked, e.g. {@link CircuitBreakerStoreException}) when the store is in
     *                          backoff or the call failed or timed out
     */
    <T> T call(String operation, Supplier<T> call);

    /** False while the store is in backoff: callers should not even try. */
    boolean available();

    /** No backoff, no counting: runs the call and wraps any failure in {@link CircuitBreakerStoreException}. */
    static StoreCalls direct() {
        return new StoreCalls() {
            @Override
            public <T> T call(String operation, Supplier<T> call) {
                try {
                    return call.get();
                } catch (RuntimeException e) {
                    throw new CircuitBreakerStoreException(operation, e);
                }
            }

            @Override
            public boolean available() {
                return true;
            }
        };
    }
}
