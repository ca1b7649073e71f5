package dev.apigateway.circuitbreaker;

import dev.apigateway.observability.ContextAwareEventBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place every transition passes, shared or local: checks it against the table, logs
 * {@code circuit_breaker_transition} once, counts it, and tells the other instances of a shared one.
 */
final class BreakerTransitions {

    private static final Logger log = LoggerFactory.getLogger(BreakerRegistry.class);

    private final BreakerStore shared;
    private final MeterRegistry meters;
    private final String instanceId;

    BreakerTransitions(BreakerStore shared, MeterRegistry meters, String instanceId) {
        this.shared = shared;
        this.meters = meters;
        this.instanceId = instanceId;
    }

    /** @param local true for the fallback breaker's own transitions: logged and counted, not published */
    void transition(BreakerUpdate u, boolean forced, boolean local) {
        BreakerState from = u.from();
        BreakerState to = u.to();
        from.requireTransitionTo(to, forced);
        String route = u.after().route();
        // on a request's thread its request_id, route and client_ip are in the log context: not added twice
        ContextAwareEventBuilder.of(log.atInfo())
                .addKeyValue("event", "circuit_breaker_transition")
                .addKeyValue("route", route)
                .addKeyValue("from", from.label())
                .addKeyValue("to", to.label())
                .addKeyValue("forced", forced)
                .addKeyValue("source", local ? "local" : label())
                .log("circuit breaker of route {} went {} -> {}", route, from.label(), to.label());
        meters.counter(BreakerRegistry.TRANSITIONS_METER, "route", route, "from", from.label(), "to", to.label())
                .increment();
        if (!local && shared.shared()) {
            try {
                shared.publish(new BreakerEvent(instanceId, from, to, forced, u.after()));
            } catch (RuntimeException e) {
                // the others catch up at their next periodic read
                ContextAwareEventBuilder.of(log.atWarn()).addKeyValue("event", "circuit_breaker_publish_failed")
                        .addKeyValue("route", route)
                        .log("could not publish circuit breaker transition: {}", e.toString());
            }
        }
    }

    String label() {
        return shared.shared() ? "shared" : "memory";
    }
}
