package dev.apigateway.store;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outage state of {@link StoreGuard} on a Resilience4j {@link CircuitBreaker}: CLOSED while the store is
 * used, OPEN for a backoff that doubles from the first to the longest, HALF_OPEN for the one probe or trial that
 * ends it. Transitions out of OPEN are made here (by the probe, or the trial call), never by a timer of
 * Resilience4j's own, so a driven clock drives the trial.
 */
final class StoreBackoff {

    private static final Logger log = LoggerFactory.getLogger(StoreGuard.class);

    private final String storeName;
    private final CircuitBreaker outage;
    private final IntervalFunction backoff;
    private final Clock clock;
    private final ScheduledExecutorService probeScheduler;
    private final Runnable probe;
    private volatile long retryAtMillis;
    private int attempt; // written by transitions only, which Resilience4j serialises

    /** @param probe run when a backoff ends, on {@code probeScheduler}; null: the first call after it is the trial */
    StoreBackoff(StoreGuardBuilder b, ScheduledExecutorService probeScheduler, Runnable probe) {
        this.storeName = b.storeName;
        this.backoff = IntervalFunction.ofExponentialBackoff(b.initialBackoff, 2.0, b.maxBackoff);
        this.clock = b.clock;
        this.probeScheduler = probeScheduler;
        this.probe = probe;
        this.outage = b.outageBreaker(backoff);
        outage.getEventPublisher().onStateTransition(this::onTransition);
    }

    boolean available() {
        return outage.getState() == State.CLOSED;
    }

    /** Whether a call may go to the store now: always while CLOSED; in a backoff only the single trial. */
    boolean permits() {
        State state = outage.getState();
        if (state == State.CLOSED) {
            return true;
        }
        if (probe != null || state == State.OPEN && clock.millis() < retryAtMillis) {
            return false;
        }
        return takeTrial();
    }

    /** Moves OPEN to HALF_OPEN and takes its one permission. */
    boolean takeTrial() {
        halfOpen();
        return outage.tryAcquirePermission();
    }

    /** An answer: ends a backoff, even one that started while the call was under way (the store is alive). */
    void answered(long nanos) {
        halfOpen();
        outage.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }

    /** A failed call: into the time window (every call failing there opens it); {@code outage} opens it at once. */
    void failed(long nanos, Throwable cause, boolean outageNow) {
        outage.onError(nanos, TimeUnit.NANOSECONDS, cause);
        if (outageNow) {
            try {
                if (outage.getState() == State.CLOSED) {
                    outage.transitionToOpenState();
                }
            } catch (IllegalStateTransitionException concurrent) {
                // another caller opened it first: one outage, one backoff
            }
        }
    }

    /** The rest of the backoff; zero while the store is used. */
    Duration retryAfter() {
        return available() ? Duration.ZERO : Duration.ofMillis(Math.max(0, retryAtMillis - clock.millis()));
    }

    private void halfOpen() {
        try {
            if (outage.getState() == State.OPEN) {
                outage.transitionToHalfOpenState();
            }
        } catch (IllegalStateTransitionException concurrent) {
            // another caller moved it first
        }
    }

    /** Resilience4j runs the listener on the thread that made the transition, one transition at a time. */
    private void onTransition(CircuitBreakerOnStateTransitionEvent event) {
        State to = event.getStateTransition().getToState();
        if (to == State.OPEN) {
            attempt = event.getStateTransition().getFromState() == State.HALF_OPEN ? attempt + 1 : 1;
            long wait = backoff.apply(attempt);
            retryAtMillis = clock.millis() + wait;
            if (probe != null) {
                try {
                    probeScheduler.schedule(probe, wait, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closed) {
                    // shutting down
                }
            }
        } else if (to == State.CLOSED) {
            attempt = 0;
            log.atInfo().addKeyValue("event", "store_available").addKeyValue("store", storeName)
                    .log(storeName + " store answers again; using it");
        }
    }
}
