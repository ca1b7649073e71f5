package dev.apigateway.proxy;

import dev.apigateway.error.GatewayError;
import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.hc.core5.concurrent.Cancellable;

/**
 * One request's total deadline ({@code REQUEST_DEADLINE_SECONDS}), bound to the request's thread from the moment the
 * gateway takes the request until its answer is written ({@link RequestLimitsFilter}). When it passes, the upstream
 * call in progress is cancelled ({@link UpstreamDeadlineInterceptor}): a thread blocked on the upstream, for the
 * head, for the next byte of a dripping body or on an upload the upstream stopped reading, is free at once.
 *
 * <p>What the client gets: {@code 504 upstream_timeout} if nothing was sent yet (counted by the error
 * configuration, or here when the head was in and the body had not started); the connection closed without the end of
 * the answer if it was already under way (counted here). Either way once in {@code gateway_errors_total} and once as
 * a failure of the route's breaker.
 */
public final class RequestDeadline {

    /** The error an answer cut by the deadline is counted as. */
    static final GatewayError CUT = GatewayError.UPSTREAM_TIMEOUT;

    private static final ThreadLocal<RequestDeadline> CURRENT = new ThreadLocal<>();

    private final RequestDeadlines owner;
    private final long expiresAtNanos;
    private final AtomicBoolean expired = new AtomicBoolean();
    private final AtomicBoolean cutCounted = new AtomicBoolean();
    private volatile Cancellable upstreamCall;
    private volatile boolean readingClient;
    private volatile boolean upstreamsFault;
    private ScheduledFuture<?> timer;

    RequestDeadline(RequestDeadlines owner, long expiresAtNanos) {
        this.owner = owner;
        this.expiresAtNanos = expiresAtNanos;
    }

    /** The deadline of the request the calling thread is serving; null outside a proxied request. */
    static RequestDeadline current() {
        return CURRENT.get();
    }

    /**
     * The upstream's answer failed to arrive (or to reach the client) whole: when it is the deadline that cut it, the
     * cut is counted (once per request) and the failure becomes an {@link UpstreamDeadlineException}; any other
     * failure is returned as it is.
     *
     * @param failure what reading the upstream's body threw; null when writing to the client failed
     */
    static IOException cutAnswer(Exchange exchange, IOException failure) {
        RequestDeadline deadline = CURRENT.get();
        if (deadline == null || !deadline.expired()) {
            return failure;
        }
        if (deadline.cutCounted.compareAndSet(false, true)) {
            deadline.owner.answerCut(exchange);
            GatewayExchange.runAfterCut(exchange);
        }
        return deadline.exception(failure);
    }

    /** Binds this deadline to the calling thread. */
    void enter() {
        CURRENT.set(this);
    }

    /** The request is answered: no more cancelling, the thread is unbound. */
    void exit() {
        CURRENT.remove();
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** An upstream call starts on this request: it is cancelled when the deadline passes (at once if it has). */
    void upstreamCall(Cancellable call) {
        upstreamCall = call;
        if (timer == null) {
            timer = owner.schedule(this::expire, expiresAtNanos - System.nanoTime());
        }
        if (expired.get()) {
            call.cancel();
        }
    }

    /** The deadline has passed: the upstream call in progress, if any, is cancelled. Idempotent. */
    void expire() {
        if (expired.compareAndSet(false, true)) {
            upstreamsFault = upstreamCall != null && !readingClient;
            cancelUpstreamCall();
        }
    }

    /**
     * Whether the request's thread is waiting for the client's body ({@link RequestLimitsFilter}), so that a deadline
     * passing then is the client's (408), and one passing while the thread writes to or waits on the upstream is the
     * upstream's (504).
     */
    void readingClient(boolean reading) {
        readingClient = reading;
    }

    /**
     * The deadline passed while an upstream call held the request's thread (writing an upload the upstream stopped
     * reading, or waiting for its answer): the request's further body reads end the upload as the upstream's timeout.
     */
    boolean upstreamsFault() {
        return expired.get() && upstreamsFault;
    }

    /** Cancels the upstream call in progress, if any, without the deadline having passed (its head is late). */
    void cancelUpstreamCall() {
        Cancellable call = upstreamCall;
        if (call != null) {
            call.cancel();
        }
    }

    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return owner.schedule(task, delayNanos);
    }

    boolean expired() {
        return expired.get();
    }

    UpstreamDeadlineException exception(Throwable cause) {
        return new UpstreamDeadlineException(owner.deadlineSeconds(), cause);
    }
}
