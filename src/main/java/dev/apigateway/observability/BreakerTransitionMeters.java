package dev.apigateway.observability;

import dev.apigateway.circuitbreaker.BreakerRegistry;
import dev.apigateway.circuitbreaker.BreakerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * {@code gateway_circuit_breaker_transitions_total{route,from,to}} at zero for every transition the breaker's
 * table allows (normal or forced by an operator); {@link BreakerRegistry} increments the same meters.
 */
@Component
public class BreakerTransitionMeters implements RouteMeterBinder {

    private static final List<BreakerState[]> TRANSITIONS = transitions();

    private final MeterRegistry registry;

    public BreakerTransitionMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String step() {
        return CIRCUIT_BREAKER_STEP;
    }

    @Override
    public void bind(String routeId) {
        for (BreakerState[] t : TRANSITIONS) {
            Counter.builder(BreakerRegistry.TRANSITIONS_METER).tags(tags(routeId, t))
                    .description("Circuit breaker transitions, by route").register(registry);
        }
    }

    @Override
    public void unbind(String routeId) {
        for (BreakerState[] t : TRANSITIONS) {
            Counter counter = registry.find(BreakerRegistry.TRANSITIONS_METER).tags(tags(routeId, t)).counter();
            if (counter != null) {
                registry.remove(counter);
            }
        }
    }

    private static Tags tags(String routeId, BreakerState[] transition) {
        return Tags.of("route", routeId, "from", transition[0].label(), "to", transition[1].label());
    }

    private static List<BreakerState[]> transitions() {
        List<BreakerState[]> out = new ArrayList<>();
        for (BreakerState from : BreakerState.values()) {
            for (BreakerState to : BreakerState.values()) {
                if (from != to && (from.canTransitionTo(to, false) || from.canTransitionTo(to, true))) {
                    out.add(new BreakerState[] {from, to});
                }
            }
        }
        return List.copyOf(out);
    }
}
