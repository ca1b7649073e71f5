package dev.apigateway.targets;

import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code GET /actuator/upstreams} (management port): each route's targets as this instance sees them, the way Kong's
 * {@code /upstreams/{name}/health} or Envoy's {@code /clusters} show them. Read only; the state is this instance's.
 */
@Endpoint(id = "upstreams")
public class UpstreamsEndpoint {

    /**
     * One target of a route.
     *
     * @param ejectedForSeconds whole seconds left of its ejection, 0 when it takes requests
     * @param ejections         ejections in a row (the next one lasts longer)
     * @param healthy           its active health check's verdict; {@code null} when the route has no check
     */
    public record TargetView(String target, String url, int weight, boolean ejected, long ejectedForSeconds,
                             int failuresInRow, int ejections, Boolean healthy) {
    }

    private final UpstreamDispatcher dispatcher;

    public UpstreamsEndpoint(UpstreamDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @ReadOperation
    public Map<String, List<TargetView>> upstreams() {
        return dispatcher.views();
    }

    /** One route's targets; null (404) for a route that does not run here or has not started. */
    @ReadOperation
    public List<TargetView> upstream(@Selector String route) {
        return dispatcher.views().get(route);
    }
}
