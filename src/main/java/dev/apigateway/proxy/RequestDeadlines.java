package dev.apigateway.proxy;

import dev.apigateway.error.GatewayErrorMetrics;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;

/**
 * Makes each request's {@link RequestDeadline} and runs their timers: one daemon thread, which only cancels upstream
 * calls (a socket close each). A timer is set when a request calls its upstream and removed when it is answered.
 */
public final class RequestDeadlines implements AutoCloseable {

    private final long deadlineNanos;
    private final long deadlineSeconds;
    private final GatewayErrorMetrics metrics;
    private final ScheduledThreadPoolExecutor timers;

    /** @param metrics where an answer cut after its head is counted; null for none */
    public RequestDeadlines(Duration deadline, GatewayErrorMetrics metrics) {
        this.deadlineNanos = deadline.toNanos();
        this.deadlineSeconds = deadline.toSeconds();
        this.metrics = metrics;
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "request-deadlines");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
    }

    /** The deadline of a request taken at {@code startNanos} ({@link System#nanoTime()}). */
    RequestDeadline start(long startNanos) {
        return new RequestDeadline(this, startNanos + deadlineNanos);
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    long deadlineSeconds() {
        return deadlineSeconds;
    }

    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        try {
            return timers.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            return null;
        }
    }

    void answerCut(Exchange exchange) {
        if (metrics != null) {
            metrics.answered(exchange.getFromRouteId(), RequestDeadline.CUT);
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
