package dev.apigateway.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every call to the shared store goes through here, so that a store that is down or slow costs a
 * request at most the store timeout, and after repeated errors costs nothing at all.
 *
 * <ul>
 *   <li>Each call waits at most {@code timeout} ({@code STORE_TIMEOUT_MS}): it runs on a small pool
 *       and the caller stops waiting when the time is up, whatever the client library does (a
 *       blocking reconnect, say).</li>
 *   <li>After {@code errorThreshold} consecutive errors the store is <em>unavailable</em>: calls are
 *       refused at once, without touching the store, for a backoff that grows from
 *       {@code initialBackoff} to {@code maxBackoff}. Then a background probe (if one is given) or
 *       the first call after the backoff (otherwise) tries the store; success makes it available
 *       again, failure starts a longer backoff.</li>
 *   <li>Metrics: {@code gateway.store.errors{operation}}, {@code gateway.store.skipped{operation}},
 *       {@code gateway.store.duration{operation,outcome}}, gauge {@code gateway.store.available}.
 *       Errors are logged as {@code store_unavailable}, at most one line per 10 s.</li>
 * </ul>
 *
 * Thread-safe. The hot path reads one volatile field when the store is available.
 */
public class StoreGuard implements AutoCloseable {

    public static final String ERRORS = "gateway.store.errors";
    public static final String SKIPPED = "gateway.store.skipped";
    public static final String DURATION = "gateway.store.duration";
    public static final String AVAILABLE = "gateway.store.available";
    public static final String PROBE_OPERATION = "probe";

    private static final Logger log = LoggerFactory.getLogger(StoreGuard.class);

    private final String storeName;
    private final long timeoutNanos;
    private final int errorThreshold;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Clock clock;
    private final Supplier<?> probe;
    private final MeterRegistry meters;
    private final ThreadPoolExecutor callPool;
    private final ScheduledExecutorService probeScheduler;
    private final RateLimitedLog errorLog;
    private final Map<String, OperationMeters> operationMeters = new ConcurrentHashMap<>();

    private final AtomicInteger consecutiveErrors = new AtomicInteger();
    private final AtomicBoolean trialInFlight = new AtomicBoolean();
    private final Object transitions = new Object();
    private final boolean inlineWhenHealthy;
    /** True after a success, false after an error: whether the next call may run on the caller's thread. */
    private volatile boolean healthy;
    private volatile boolean unavailable;
    private volatile long unavailableUntilMillis;
    private Duration currentBackoff;

    private StoreGuard(Builder b) {
        this.storeName = b.storeName;
        this.timeoutNanos = b.timeout.toNanos();
        this.errorThreshold = b.errorThreshold;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.clock = b.clock;
        this.probe = b.probe;
        this.meters = b.meters;
        this.currentBackoff = b.initialBackoff;
        this.inlineWhenHealthy = b.inlineWhenHealthy;
        this.errorLog = new RateLimitedLog(log, b.logInterval, b.clock);
        this.callPool = new ThreadPoolExecutor(0, b.maxConcurrentCalls, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemonThreads("store-call-" + storeName));
        this.probeScheduler = probe == null ? null : scheduler("store-probe-" + storeName);
        Gauge.builder(AVAILABLE, this, g -> g.isAvailable() ? 1 : 0)
                .tag("store", storeName)
                .description("1 while the shared store is used, 0 during its backoff")
                .register(meters);
    }

    public static Builder builder(String storeName) {
        return new Builder(storeName);
    }

    /**
     * Runs {@code call} against the store with a bounded wait.
     *
     * @param operation low-cardinality name for metrics and logs, e.g. {@code rate_limit}
     * @return what {@code call} returned
     * @throws StoreUnavailableException when the store is in its backoff (not called, {@link
     *                                   StoreUnavailableException#skipped()}), or the call failed or timed out
     */
    public <T> T call(String operation, Supplier<T> call) {
        if (unavailable) {
            long now = clock.millis();
            // with a background probe only the probe may close the gate; without one the first
            // caller after the backoff is let through as the single trial
            boolean trial = probe == null && now >= unavailableUntilMillis && trialInFlight.compareAndSet(false, true);
            if (!trial) {
                meters(operation).skipped.increment();
                throw new StoreUnavailableException(operation, true, retryAfter(now),
                        storeName + " store unavailable, not called during backoff", null);
            }
            try {
                return invoke(operation, call, true);
            } finally {
                trialInFlight.set(false);
            }
        }
        return invoke(operation, call, false);
    }

    /** False from the moment errors reach the threshold until the store answers again. */
    public boolean isAvailable() {
        return !unavailable;
    }

    /** The bounded wait of one call ({@code STORE_TIMEOUT_MS}). */
    public Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    /** @param retry true for the trial or probe that ends a backoff: its failure always starts the next one */
    private <T> T invoke(String operation, Supplier<T> call, boolean retry) {
        OperationMeters m = meters(operation);
        long start = System.nanoTime();
        if (inlineWhenHealthy && healthy && !retry) {
            // The hot path: no thread hand-off. The client's own command timeout bounds the wait.
            T result;
            try {
                result = call.get();
            } catch (RuntimeException e) {
                healthy = false;
                throw failed(operation, m, start, retry, "store call failed", e);
            }
            m.success.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            succeeded();
            return result;
        }
        Future<T> future;
        try {
            future = callPool.submit(call::get);
        } catch (RejectedExecutionException e) {
            throw failed(operation, m, start, retry, "too many concurrent store calls", e);
        }
        try {
            T result = future.get(timeoutNanos, TimeUnit.NANOSECONDS);
            m.success.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            succeeded();
            return result;
        } catch (TimeoutException e) {
            healthy = false;
            // not interrupted: the call may be connecting (cold start); letting it finish on the pool
            // thread, bounded by the client's own timeouts, means the next call finds the connection
            future.cancel(false);
            throw failed(operation, m, start, retry, "no answer within " + timeout().toMillis() + " ms", e);
        } catch (ExecutionException e) {
            healthy = false;
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw failed(operation, m, start, retry, "store call failed", cause);
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw failed(operation, m, start, retry, "interrupted while waiting for the store", e);
        }
    }

    private StoreUnavailableException failed(String operation, OperationMeters m, long startNanos, boolean retry,
                                             String what, Throwable cause) {
        m.failure.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        m.errors.increment();
        int errors = consecutiveErrors.incrementAndGet();
        long now = clock.millis();
        if (retry || errors >= errorThreshold) {
            startBackoff(now, retry);
        }
        log.debug("{} store call {} failed: {}", storeName, operation, what, cause);
        errorLog.warn("store_unavailable", storeName + " store error: " + what,
                line -> line.addKeyValue("store", storeName)
                        .addKeyValue("operation", operation)
                        .addKeyValue("consecutive_errors", errors)
                        .addKeyValue("available", !unavailable), cause);
        return new StoreUnavailableException(operation, false, retryAfter(now),
                storeName + " store " + operation + ": " + what, cause);
    }

    private void succeeded() {
        if (!healthy) {
            healthy = true;
        }
        if (consecutiveErrors.get() != 0) {
            consecutiveErrors.set(0);
        }
        if (unavailable) {
            synchronized (transitions) {
                if (!unavailable) {
                    return;
                }
                unavailable = false;
                currentBackoff = initialBackoff;
            }
            log.atInfo().addKeyValue("event", "store_available").addKeyValue("store", storeName)
                    .log(storeName + " store answers again; using it");
        }
    }

    /** Enters (or extends) the backoff; the backoff doubles each time it is entered again without success. */
    private void startBackoff(long now, boolean retry) {
        Duration backoff;
        synchronized (transitions) {
            if (unavailable && !retry) {
                return; // concurrent failures of one outage start one backoff, not many
            }
            backoff = unavailable ? min(currentBackoff.multipliedBy(2), maxBackoff) : initialBackoff;
            currentBackoff = backoff;
            unavailableUntilMillis = now + backoff.toMillis();
            unavailable = true;
        }
        if (probeScheduler != null) {
            try {
                probeScheduler.schedule(this::probeOnce, backoff.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                // shutting down
            }
        }
    }

    private void probeOnce() {
        if (!unavailable) {
            return;
        }
        try {
            invoke(PROBE_OPERATION, probe, true);
        } catch (StoreUnavailableException e) {
            // invoke() counted it and started the next, longer backoff with its own probe
        } catch (RuntimeException e) {
            log.debug("store probe failed", e);
        }
    }

    private Duration retryAfter(long now) {
        long millis = unavailable ? Math.max(0, unavailableUntilMillis - now) : 0;
        return Duration.ofMillis(millis);
    }

    private OperationMeters meters(String operation) {
        return operationMeters.computeIfAbsent(operation, op -> new OperationMeters(meters, storeName, op));
    }

    @Override
    public void close() {
        callPool.shutdownNow();
        if (probeScheduler != null) {
            probeScheduler.shutdownNow();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static ScheduledExecutorService scheduler(String name) {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, daemonThreads(name));
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    private static final class OperationMeters {
        final Counter errors;
        final Counter skipped;
        final Timer success;
        final Timer failure;

        OperationMeters(MeterRegistry registry, String store, String operation) {
            errors = Counter.builder(ERRORS).tag("operation", operation)
                    .description("Store calls that failed or timed out").register(registry);
            skipped = Counter.builder(SKIPPED).tag("operation", operation)
                    .description("Store calls not made because the store is in its backoff").register(registry);
            success = Timer.builder(DURATION).tag("operation", operation).tag("outcome", "success")
                    .description("Store call latency").register(registry);
            failure = Timer.builder(DURATION).tag("operation", operation).tag("outcome", "error")
                    .description("Store call latency").register(registry);
        }
    }

    /** Settings of a {@link StoreGuard}; defaults in brackets. */
    public static final class Builder {
        private final String storeName;
        private Duration timeout = Duration.ofMillis(50);
        private int errorThreshold = 3;
        private Duration initialBackoff = Duration.ofMillis(250);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private Duration logInterval = RateLimitedLog.DEFAULT_INTERVAL;
        private Clock clock = Clock.systemUTC();
        private Supplier<?> probe;
        private MeterRegistry meters = new SimpleMeterRegistry();
        private int maxConcurrentCalls = 256;
        private boolean inlineWhenHealthy;

        private Builder(String storeName) {
            this.storeName = Objects.requireNonNull(storeName, "storeName");
        }

        /** Longest wait for one call [50 ms]. */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("store timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Consecutive errors after which the store is skipped [3]. */
        public Builder errorThreshold(int errorThreshold) {
            if (errorThreshold < 1) {
                throw new IllegalArgumentException("store error threshold must be at least 1, was " + errorThreshold);
            }
            this.errorThreshold = errorThreshold;
            return this;
        }

        /** First backoff and its ceiling; it doubles in between [250 ms, 5 s]. */
        public Builder backoff(Duration initial, Duration max) {
            if (initial == null || initial.isNegative() || initial.isZero() || max == null || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("store backoff must be positive and max >= initial, was "
                        + initial + " .. " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** The clock backoffs and log intervals are measured with [system UTC]. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * A cheap call (PING) run in the background when a backoff ends [none: the first request after
         * the backoff is the trial instead].
         */
        public Builder probe(Supplier<?> probe) {
            this.probe = probe;
            return this;
        }

        public Builder meterRegistry(MeterRegistry meters) {
            this.meters = Objects.requireNonNull(meters, "meters");
            return this;
        }

        /** At most one WARN line per this interval [10 s]. */
        public Builder logInterval(Duration logInterval) {
            this.logInterval = Objects.requireNonNull(logInterval, "logInterval");
            return this;
        }

        /** Store calls waiting at once; beyond it a call fails at once [256]. */
        /**
         * While the store answers, run calls on the caller's thread instead of the bounded pool. Only for a client
         * whose own command timeout is the guard's timeout (Lettuce's {@code spring.data.redis.timeout} follows
         * {@code STORE_TIMEOUT_MS}); after any error, calls go through the pool again until one succeeds, because a
         * reconnecting client can block past its command timeout.
         */
        public Builder inlineWhenHealthy(boolean inlineWhenHealthy) {
            this.inlineWhenHealthy = inlineWhenHealthy;
            return this;
        }

        public Builder maxConcurrentCalls(int maxConcurrentCalls) {
            if (maxConcurrentCalls < 1) {
                throw new IllegalArgumentException("maxConcurrentCalls must be at least 1, was " + maxConcurrentCalls);
            }
            this.maxConcurrentCalls = maxConcurrentCalls;
            return this;
        }

        public StoreGuard build() {
            return new StoreGuard(this);
        }
    }
}
