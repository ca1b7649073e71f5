package dev.apigateway.observability;

import java.util.function.Supplier;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * An SLF4J event builder that leaves out a key-value whose key is already in the log context (MDC). A request's
 * {@code request_id}, {@code route} and {@code client_ip} are in the MDC while it is handled ({@code RequestIdFilter},
 * {@code GatewayHttpConsumer}); an event that also adds them as key-values would name them twice, and Spring Boot's
 * ECS JSON refuses a line with a duplicate field ({@code Duplicate nested pairs added under 'route'}): the line
 * would be lost. Outside a request (a background probe, a unit test) the MDC is empty and every key-value stays.
 */
public final class ContextAwareEventBuilder implements LoggingEventBuilder {

    private final LoggingEventBuilder delegate;

    private ContextAwareEventBuilder(LoggingEventBuilder delegate) {
        this.delegate = delegate;
    }

    /** {@code log.atWarn()} and the like, wrapped. */
    public static LoggingEventBuilder of(LoggingEventBuilder builder) {
        return builder instanceof ContextAwareEventBuilder ? builder : new ContextAwareEventBuilder(builder);
    }

    @Override
    public LoggingEventBuilder addKeyValue(String key, Object value) {
        if (MDC.get(key) == null) {
            delegate.addKeyValue(key, value);
        }
        return this;
    }

    @Override
    public LoggingEventBuilder addKeyValue(String key, Supplier<Object> value) {
        if (MDC.get(key) == null) {
            delegate.addKeyValue(key, value);
        }
        return this;
    }

    @Override
    public LoggingEventBuilder setCause(Throwable cause) {
        delegate.setCause(cause);
        return this;
    }

    @Override
    public LoggingEventBuilder addMarker(Marker marker) {
        delegate.addMarker(marker);
        return this;
    }

    @Override
    public LoggingEventBuilder addArgument(Object p) {
        delegate.addArgument(p);
        return this;
    }

    @Override
    public LoggingEventBuilder addArgument(Supplier<?> p) {
        delegate.addArgument(p);
        return this;
    }

    @Override
    public LoggingEventBuilder setMessage(String message) {
        delegate.setMessage(message);
        return this;
    }

    @Override
    public LoggingEventBuilder setMessage(Supplier<String> message) {
        delegate.setMessage(message);
        return this;
    }

    @Override
    public void log() {
        delegate.log();
    }

    @Override
    public void log(String message) {
        delegate.log(message);
    }

    @Override
    public void log(String message, Object arg) {
        delegate.log(message, arg);
    }

    @Override
    public void log(String message, Object arg1, Object arg2) {
        delegate.log(message, arg1, arg2);
    }

    @Override
    public void log(String message, Object... args) {
        delegate.log(message, args);
    }

    @Override
    public void log(Supplier<String> message) {
        delegate.log(message);
    }
}
