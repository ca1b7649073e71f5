package dev.apigateway.store;

import dev.apigateway.tracing.GatewayTracer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Settings of a {@link StoreGuard}, validated when set (the message names the bad value); defaults in brackets. */
public final class StoreGuardBuilder {

    final String storeName;
    Duration timeout = Duration.ofMillis(50);
    int errorThreshold = 3;
    Duration outageWindow = Duration.ofSeconds(5);
    Duration initialBackoff = Duration.ofMillis(250);
    Duration maxBackoff = Duration.ofSeconds(5);
    Duration logInterval = RateLimitedLog.DEFAULT_INTERVAL;
    Clock clock = Clock.systemUTC();
    Supplier<?> probe;
    MeterRegistry meters = new SimpleMeterRegistry();
    int maxConcurrentCalls = 256;
    boolean inlineWhenHealthy;
    GatewayTracer tracer = GatewayTracer.OFF;

    StoreGuardBuilder(String storeName) {
        this.storeName = Objects.requireNonNull(storeName, "storeName");
    }

    /** Longest wait for one call [50 ms]. */
    public StoreGuardBuilder timeout(Duration timeout) {
        this.timeout = positive("store timeout", timeout);
        return this;
    }

    /** Errors in a row (other than timeouts) that start a backoff; also the fewest calls of a window of timeouts [3]. */
    public StoreGuardBuilder errorThreshold(int errorThreshold) {
        if (errorThreshold < 1) {
            throw new IllegalArgumentException("store error threshold must be at least 1, was " + errorThreshold);
        }
        this.errorThreshold = errorThreshold;
        return this;
    }

    /** How long every call must have timed out or failed before timeouts start a backoff; whole seconds [5 s]. */
    public StoreGuardBuilder outageWindow(Duration outageWindow) {
        if (positive("store outage window", outageWindow).toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("store outage window must be whole seconds, was " + outageWindow);
        }
        this.outageWindow = outageWindow;
        return this;
    }

    /** First backoff and its ceiling; it doubles in between [250 ms, 5 s]. */
    public StoreGuardBuilder backoff(Duration initial, Duration max) {
        if (initial == null || initial.toMillis() < 1 || max == null || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("store backoff must be positive and max >= initial, was "
                    + initial + " .. " + max);
        }
        this.initialBackoff = initial;
        this.maxBackoff = max;
        return this;
    }

    /** The clock backoffs, windows and log intervals are measured with [system UTC]. */
    public StoreGuardBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** A cheap call (PING) run in the background when a backoff ends [none: the first call after it is the trial]. */
    public StoreGuardBuilder probe(Supplier<?> probe) {
        this.probe = probe;
        return this;
    }

    public StoreGuardBuilder meterRegistry(MeterRegistry meters) {
        this.meters = Objects.requireNonNull(meters, "meters");
        return this;
    }

    /** At most one WARN line per this interval [10 s]. */
    public StoreGuardBuilder logInterval(Duration logInterval) {
        this.logInterval = Objects.requireNonNull(logInterval, "logInterval");
        return this;
    }

    /**
     * While the store answers, run calls on the caller's thread instead of the bounded pool [false]. Only for a
     * client whose own command timeout is the guard's timeout (Lettuce's {@code spring.data.redis.timeout} follows
     * {@code STORE_TIMEOUT_MS}); after any error calls go through the pool again until one succeeds, because a
     * reconnecting client can block past its command timeout.
     */
    public StoreGuardBuilder inlineWhenHealthy(boolean inlineWhenHealthy) {
        this.inlineWhenHealthy = inlineWhenHealthy;
        return this;
    }

    /** Store calls waiting at once on the pool (the bulkhead); beyond it a call fails at once [256]. */
    public StoreGuardBuilder maxConcurrentCalls(int maxConcurrentCalls) {
        if (maxConcurrentCalls < 1) {
            throw new IllegalArgumentException("maxConcurrentCalls must be at least 1, was " + maxConcurrentCalls);
        }
        this.maxConcurrentCalls = maxConcurrentCalls;
        return this;
    }

    /** Each call a request makes becomes a client span of the request's trace [off]. */
    public StoreGuardBuilder tracer(GatewayTracer tracer) {
        this.tracer = Objects.requireNonNull(tracer, "tracer");
        return this;
    }

    public StoreGuard build() {
        return new StoreGuard(this);
    }

    /**
     * The outage detector: OPEN when every call of the time window failed (100 %), at least {@code errorThreshold}
     * of them; one trial in HALF_OPEN; the wait in OPEN grows by {@code backoff}. Transitions out of OPEN are made
     * by the guard (probe or trial), never by a timer of its own.
     */
    CircuitBreaker outageBreaker(IntervalFunction backoff) {
        return CircuitBreaker.of("store-" + storeName, CircuitBreakerConfig.custom()
                .slidingWindowType(SlidingWindowType.TIME_BASED)
                .slidingWindowSize((int) outageWindow.toSeconds())
                .minimumNumberOfCalls(errorThreshold)
                .failureRateThreshold(100)
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .waitIntervalFunctionInOpenState(backoff)
                .writableStackTraceEnabled(false)
                .clock(clock)
                .build());
    }

    /** The bulkhead for calls off the caller's thread: no idle threads, no queue. */
    ExecutorService pool() {
        return new ThreadPoolExecutor(0, maxConcurrentCalls, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemonThreads("store-call-" + storeName));
    }

    static ScheduledExecutorService scheduler(String name) {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, daemonThreads(name));
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static Duration positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }
}
