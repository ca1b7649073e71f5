package dev.apigateway.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.ScheduledFuture;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpConnection;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.impl.Http1StreamListener;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;
import org.apache.hc.core5.util.Timeout;

/**
 * A route's upstream timeout as the contract states it: the longest wait for the whole response head once the
 * request is sent. HttpClient's response timeout is a socket timeout, restarted by every byte read, so a head that
 * comes in pieces (or that was already waiting in the socket when a paused gateway thread got to read it) passed
 * however late it was whole. The wait starts when the request head is sent, or when its body has been written
 * (an upload takes as long as the client sends it), and is watched two ways: a timer cancels the upstream call when
 * it runs out, and a head that arrives after it is refused all the same, whatever won the race with the timer.
 * Both answer {@code 504 upstream_timeout}.
 *
 * <p>The request executor reports the head sent and the head received ({@link Http1StreamListener}) on the thread of
 * the call, which {@link UpstreamDeadlineInterceptor} bound to the call's {@link Clock}.
 */
final class UpstreamHeadTimeout implements Http1StreamListener {

    static final UpstreamHeadTimeout LISTENER = new UpstreamHeadTimeout();

    private static final ThreadLocal<Clock> CURRENT = new ThreadLocal<>();

    private UpstreamHeadTimeout() {
    }

    /**
     * Starts watching the head of the upstream call about to run on this thread; null (nothing watched) without a
     * response timeout.
     */
    static Clock start(RequestDeadline deadline, Timeout responseTimeout, ClassicHttpRequest request) {
        if (responseTimeout == null || responseTimeout.isDisabled()) {
            return null;
        }
        Clock clock = new Clock(deadline, responseTimeout.toNanoseconds(), System::nanoTime);
        HttpEntity entity = request.getEntity();
        if (entity != null) {
            clock.awaitBody = true;
            request.setEntity(new HttpEntityWrapper(entity) {
                @Override
                public void writeTo(OutputStream out) throws IOException {
                    super.writeTo(out);
                    clock.sent();
                }
            });
        }
        CURRENT.set(clock);
        return clock;
    }

    static void end(Clock clock) {
        if (clock != null) {
            CURRENT.remove();
            clock.stop();
        }
    }

    @Override
    public void onRequestHead(HttpConnection connection, HttpRequest request) {
        Clock clock = CURRENT.get();
        if (clock != null && !clock.awaitBody) {
            clock.sent();
        }
    }

    @Override
    public void onResponseHead(HttpConnection connection, HttpResponse response) {
        Clock clock = CURRENT.get();
        if (clock != null) {
            clock.headIn();
        }
    }

    @Override
    public void onExchangeComplete(HttpConnection connection, boolean keepAlive) {
        // the body is the request deadline's
    }

    /** One upstream call's wait for its response head. */
    static final class Clock {
        private final RequestDeadline deadline;
        private final long timeoutNanos;
        private final java.util.function.LongSupplier nanoTime;
        private boolean awaitBody;
        private long sentAt;
        private ScheduledFuture<?> timer;
        private volatile boolean headIn;
        private volatile boolean late;

        Clock(RequestDeadline deadline, long timeoutNanos, java.util.function.LongSupplier nanoTime) {
            this.deadline = deadline;
            this.timeoutNanos = timeoutNanos;
            this.nanoTime = nanoTime;
        }

        /** The request is sent: the wait for the head starts. */
        void sent() {
            sentAt = nanoTime.getAsLong();
            stop();
            timer = deadline.schedule(this::runOut, timeoutNanos);
        }

        void headIn() {
            headIn = true;
            stop();
            if (sentAt != 0 && nanoTime.getAsLong() - sentAt > timeoutNanos) {
                late = true;
            }
        }

        /** Whether the head did not come in time (the call was cancelled, or the head is to be refused). */
        boolean late() {
            return late;
        }

        SocketTimeoutException exception(Throwable cause) {
            SocketTimeoutException e = new SocketTimeoutException("no whole response head within "
                    + timeoutNanos / 1_000_000 + " ms of the request");
            e.initCause(cause);
            return e;
        }

        private void runOut() {
            if (!headIn) {
                late = true;
                deadline.cancelUpstreamCall();
            }
        }

        private void stop() {
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }
    }
}
