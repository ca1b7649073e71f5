package dev.apigateway.store;

import java.time.Duration;

/**
 * The shared store could not answer: the call failed or timed out, or it was not made at all
 * because the store is in its backoff after repeated errors ({@link #skipped()}).
 */
public class StoreUnavailableException extends RuntimeException {

    private final String operation;
    private final boolean skipped;
    private final Duration retryAfter;

    public StoreUnavailableException(String operation, boolean skipped, Duration retryAfter, String message,
                                     Throwable cause) {
        super(message, cause, false, cause != null);
        this.operation = operation;
        this.skipped = skipped;
        this.retryAfter = retryAfter;
    }

    /** The operation that was refused, e.g. {@code rate_limit}. */
    public String operation() { return operation; }

    /** True when the store was not called (backoff); false when the call was made and failed. */
    public boolean skipped() { return skipped; }

    /** When the store will next be tried (the rest of the backoff); at least zero. */
    public Duration retryAfter() { return retryAfter; }

    /** {@link #retryAfter()} in whole seconds, rounded up, at least 1: a {@code Retry-After} value. */
    public long retryAfterSeconds() {
        long millis = retryAfter.toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }
}
