package dev.apigateway.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The meters of {@link StoreGuard}, per operation, made once and looked up without allocating. */
final class StoreCallMeters {

    final Counter errors;
    final Counter skipped;
    final Timer success;
    final Timer failure;

    private StoreCallMeters(MeterRegistry registry, String operation) {
        errors = Counter.builder(StoreGuard.ERRORS).tag("operation", operation)
                .description("Store calls that failed or timed out").register(registry);
        skipped = Counter.builder(StoreGuard.SKIPPED).tag("operation", operation)
                .description("Store calls not made because the store is in its backoff").register(registry);
        success = Timer.builder(StoreGuard.DURATION).tag("operation", operation).tag("outcome", "success")
                .description("Store call latency").register(registry);
        failure = Timer.builder(StoreGuard.DURATION).tag("operation", operation).tag("outcome", "error")
                .description("Store call latency").register(registry);
    }

    /** Per-operation meters of one registry. */
    static final class ByOperation {
        private final MeterRegistry registry;
        private final Map<String, StoreCallMeters> byOperation = new ConcurrentHashMap<>();

        ByOperation(MeterRegistry registry) {
            this.registry = registry;
        }

        StoreCallMeters of(String operation) {
            StoreCallMeters m = byOperation.get(operation);
            return m != null ? m : byOperation.computeIfAbsent(operation, op -> new StoreCallMeters(registry, op));
        }
    }
}
