package dev.apigateway.store;

import dev.apigateway.observability.ContextAwareEventBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * A WARN line at most once per interval, carrying the count of lines suppressed since the last
 * one, so an outage under load writes a handful of lines rather than one per request. Fields go
 * through SLF4J's key-value API and become JSON fields in structured logs.
 */
public final class RateLimitedLog {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    private final Logger log;
    private final long intervalMillis;
    private final Clock clock;
    private final AtomicLong lastLoggedMillis = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log) {
        this(log, DEFAULT_INTERVAL, Clock.systemUTC());
    }

    public RateLimitedLog(Logger log, Duration interval, Clock clock) {
        this.log = log;
        this.intervalMillis = interval.toMillis();
        this.clock = clock;
    }

    /**
     * Logs {@code message} with {@code event} as a key, unless a line was logged less than the
     * interval ago; then only counts it.
     *
     * @param fields adds further key-values (never secrets or client keys that identify people)
     * @return true when a line was written
     */
    public boolean warn(String event, String message, UnaryOperator<LoggingEventBuilder> fields, Throwable cause) {
        long now = clock.millis();
        long last = lastLoggedMillis.get();
        if (now - last < intervalMillis || !lastLoggedMillis.compareAndSet(last, now)) {
            suppressed.incrementAndGet();
            return false;
        }
        long skipped = suppressed.getAndSet(0);
        // a request's request_id, route and client_ip are in the log context already: not added twice
        LoggingEventBuilder line = ContextAwareEventBuilder.of(log.atWarn())
                .addKeyValue("event", event)
                .addKeyValue("suppressed", skipped);
        line = fields.apply(line);
        if (cause != null) {
            // the message only: a stack trace per outage line is noise, the cause's text is enough
            line = line.addKeyValue("error", cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
        line.log(skipped > 0 ? message + " (" + skipped + " similar lines suppressed)" : message);
        return true;
    }

    /** Lines counted but not written since the last written one. */
    public long suppressedCount() {
        return suppressed.get();
    }
}
