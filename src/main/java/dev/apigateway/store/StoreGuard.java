package dev.apigateway.store;

import dev.apigateway.tracing.GatewayTracer;
import io.lettuce.core.RedisCommandTimeoutException;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.QueryTimeoutException;

/**
 * Every call to the shared store goes through here ({@link SharedStore}): a call waits at most the store timeout,
 * and during an outage calls are not made at all, for a backoff that grows from 250 ms to 5 s, until a background
 * probe (or, without one, a single trial call) gets an answer. The backoff is a Resilience4j circuit breaker
 * ({@link StoreBackoff}).
 *
 * <p>The outage rule, decided here: a <em>slow</em> store is not a <em>dead</em> one. The backoff starts when
 * <ul>
 *   <li>{@code errorThreshold} calls in a row fail with an error that is not a timeout (connection refused or
 *       closed, commands rejected while disconnected, a server error), or</li>
 *   <li>every call of the last {@code outageWindow} timed out or failed, at least {@code errorThreshold} of them
 *       (Resilience4j's time-based window at a 100 % failure rate): one answer in the window, late or not, shows
 *       the store is alive, and a burst of late answers under CPU contention does not switch the cluster to the
 *       fail mode.</li>
 * </ul>
 * What a late answer counts for: the request it belonged to has already been decided by the fail mode; the
 * store's own effect stands (a token the script spent stays spent: refunding it would be a second write racing
 * the refill and the other instances). So each timed-out call is one decision the fail mode made, counted in
 * {@code gateway_store_errors_total}, never a backoff for everyone. OPERATIONS.md says the same.
 *
 * <p>Hot path (store answering): the call runs on the caller's thread, one volatile read before it, the latency
 * timer after it; successes reach the Resilience4j window at most every {@value #SUCCESS_SAMPLE_MILLIS} ms (the
 * 100 % rule only needs to know that one came), so no lock, event or {@code Instant} per call. After an error
 * calls run on a bounded pool (a reconnecting client can block past its own timeout) until one succeeds.
 *
 * <p>Metrics: {@code gateway.store.errors{operation}}, {@code gateway.store.skipped{operation}},
 * {@code gateway.store.duration{operation,outcome}}, gauge {@code gateway.store.available{store}}. Errors are logged
 * as {@code store_unavailable}, at most one line per 10 s.
 */
public final class StoreGuard implements SharedStore, AutoCloseable {

    public static final String ERRORS = "gateway.store.errors";
    public static final String SKIPPED = "gateway.store.skipped";
    public static final String DURATION = "gateway.store.duration";
    public static final String AVAILABLE = "gateway.store.available";
    public static final String PROBE_OPERATION = "probe";
    static final long SUCCESS_SAMPLE_MILLIS = 100;

    private static final Logger log = LoggerFactory.getLogger(StoreGuard.class);
    private static final long SUCCESS_SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(SUCCESS_SAMPLE_MILLIS);

    private final String storeName;
    private final long timeoutNanos;
    private final int errorThreshold;
    private final Supplier<?> probe;
    private final boolean inlineWhenHealthy;
    private final StoreBackoff backoff;
    private final ExecutorService pool;
    private final ScheduledExecutorService probeScheduler;
    private final StoreCallMeters.ByOperation meters;
    private final RateLimitedLog errorLog;
    private final GatewayTracer tracer;
    private final AtomicInteger consecutiveErrors = new AtomicInteger();
    private final AtomicInteger consecutiveNonTimeouts = new AtomicInteger();
    /** True after a success, false after an error: whether the next call may run on the caller's thread. */
    private volatile boolean healthy;
    private volatile long lastSampledSuccessNanos = System.nanoTime() - SUCCESS_SAMPLE_NANOS;

    StoreGuard(StoreGuardBuilder b) {
        storeName = b.storeName;
        timeoutNanos = b.timeout.toNanos();
        errorThreshold = b.errorThreshold;
        probe = b.probe;
        inlineWhenHealthy = b.inlineWhenHealthy;
        meters = new StoreCallMeters.ByOperation(b.meters);
        errorLog = new RateLimitedLog(log, b.logInterval, b.clock);
        tracer = b.tracer;
        pool = b.pool();
        probeScheduler = probe == null ? null : StoreGuardBuilder.scheduler("store-probe-" + storeName);
        backoff = new StoreBackoff(b, probeScheduler, probe == null ? null : this::probeOnce);
        Gauge.builder(AVAILABLE, this, g -> g.isAvailable() ? 1 : 0).tag("store", storeName)
                .description("1 while the shared store is used, 0 during its backoff").register(b.meters);
    }

    public static StoreGuardBuilder builder(String storeName) {
        return new StoreGuardBuilder(storeName);
    }

    @Override
    public <T> T call(String operation, Supplier<T> call) {
        if (tracer.on()) {
            return tracer.storeCall(storeName, operation, () -> untraced(operation, call));
        }
        return untraced(operation, call);
    }

    private <T> T untraced(String operation, Supplier<T> call) {
        StoreCallMeters m = meters.of(operation);
        if (!(healthy && inlineWhenHealthy)) {
            return guarded(operation, m, call);
        }
        long start = System.nanoTime();
        T result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            throw failed(operation, m, start, "store call failed", e);
        }
        long end = System.nanoTime();
        m.success.record(end - start, TimeUnit.NANOSECONDS);
        if (end - lastSampledSuccessNanos >= SUCCESS_SAMPLE_NANOS) {
            succeeded(end, start);
        }
        return result;
    }

    /** False from the start of an outage backoff until the store answers again. */
    @Override
    public boolean isAvailable() {
        return backoff.available();
    }

    /** The bounded wait of one call ({@code STORE_TIMEOUT_MS}). */
    public Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    private <T> T guarded(String operation, StoreCallMeters m, Supplier<T> call) {
        if (!backoff.permits()) {
            m.skipped.increment();
            throw new StoreUnavailableException(operation, true, backoff.retryAfter(), storeName
                    + " store unavailable, not called during backoff", null);
        }
        return onPool(operation, m, call);
    }

    private <T> T onPool(String operation, StoreCallMeters m, Supplier<T> call) {
        long start = System.nanoTime();
        Future<T> future;
        try {
            future = pool.submit(call::get);
        } catch (RejectedExecutionException e) {
            throw failed(operation, m, start, "too many concurrent store calls", e);
        }
        try {
            T result = future.get(timeoutNanos, TimeUnit.NANOSECONDS);
            long end = System.nanoTime();
            m.success.record(end - start, TimeUnit.NANOSECONDS);
            succeeded(end, start);
            return result;
        } catch (TimeoutException e) {
            // not interrupted: the call may be connecting (cold start); letting it finish, bounded by the
            // client's own timeouts, means the next call finds the connection
            future.cancel(false);
            throw failed(operation, m, start, "no answer within " + timeout().toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw failed(operation, m, start, "store call failed", e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw failed(operation, m, start, "interrupted while waiting for the store", e);
        }
    }

    private void succeeded(long endNanos, long startNanos) {
        lastSampledSuccessNanos = endNanos;
        if (consecutiveErrors.get() != 0) {
            consecutiveErrors.set(0);
            consecutiveNonTimeouts.set(0);
        }
        backoff.answered(endNanos - startNanos);
        healthy = true;
    }

    private StoreUnavailableException failed(String operation, StoreCallMeters m, long startNanos, String what,
                                             Throwable cause) {
        long took = System.nanoTime() - startNanos;
        healthy = false;
        m.failure.record(took, TimeUnit.NANOSECONDS);
        m.errors.increment();
        int errors = consecutiveErrors.incrementAndGet();
        backoff.failed(took, cause, !isTimeout(cause) && consecutiveNonTimeouts.incrementAndGet() >= errorThreshold);
        log.debug("{} store call {} failed: {}", storeName, operation, what, cause);
        errorLog.warn("store_unavailable", storeName + " store error: " + what,
                line -> line.addKeyValue("store", storeName).addKeyValue("operation", operation)
                        .addKeyValue("consecutive_errors", errors).addKeyValue("available", isAvailable()), cause);
        return new StoreUnavailableException(operation, false, backoff.retryAfter(),
                storeName + " store " + operation + ": " + what, cause);
    }

    static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException || t instanceof RedisCommandTimeoutException
                    || t instanceof QueryTimeoutException) {
                return true;
            }
        }
        return false;
    }


    private void probeOnce() {
        if (!backoff.takeTrial()) {
            return;
        }
        try {
            onPool(PROBE_OPERATION, meters.of(PROBE_OPERATION), probe);
        } catch (RuntimeException e) {
            // counted by failed(), which re-opened the breaker and scheduled the next, longer backoff
        }
    }




    @Override
    public void close() {
        pool.shutdownNow();
        if (probeScheduler != null) {
            probeScheduler.shutdownNow();
        }
    }
}
