package dev.apigateway.proxy;

import dev.apigateway.error.ErrorAnswer;
import dev.apigateway.error.GatewayError;
import dev.apigateway.routes.RouteSettingsRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * A bound on the requests in flight on each route (a bulkhead): a route whose upstream is slow, or whose clients
 * upload slowly, holds at most its {@code maxConcurrentRequests} request threads, so other routes and
 * {@code /health} keep theirs. A request over the bound is answered at once {@code 503 route_busy} with
 * {@code Retry-After: 1}, before its body is read, and counted in {@code gateway_bulkhead_rejected_total{route}}.
 *
 * <p>On the hot path: one map read and one non-blocking {@link Semaphore#tryAcquire()} per request, no lock, no
 * allocation. The permit is held by the request's thread (the gateway's consumer answers on the container's thread)
 * and given back by {@link #release()} when the request ends (the consumer that took it, in the same {@code try}).
 */
public class RouteBulkhead {


    private static final ThreadLocal<Semaphore> HELD = new ThreadLocal<>();

    /** One route's permits, for the limit they were made for: a reloaded route with a new limit gets new ones. */
    private record Slot(int limit, Semaphore permits, Counter rejected) {
    }

    private final RouteSettingsRegistry routes;
    private final MeterRegistry meters;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    public RouteBulkhead(RouteSettingsRegistry routes, MeterRegistry meters) {
        this.routes = routes;
        this.meters = meters;
    }

    /**
     * Takes a place on the route for this request, or answers it 503.
     *
     * @return whether the request was refused (and answered)
     */
    public boolean refuse(String routeId, HttpServletResponse response, String requestId) throws IOException {
        int limit = routes.forRoute(routeId).maxConcurrentRequests();
        Slot slot = slots.get(routeId);
        if (slot == null || slot.limit() != limit) {
            slot = slots.compute(routeId, (id, old) -> old != null && old.limit() == limit ? old
                    : new Slot(limit, new Semaphore(limit), old != null ? old.rejected() : counter(id)));
        }
        if (slot.permits().tryAcquire()) {
            HELD.set(slot.permits());
            return false;
        }
        slot.rejected().increment();
        ErrorAnswer.write(response, GatewayError.ROUTE_BUSY, "route " + routeId + " already has " + limit
                + " requests in flight", requestId);
        return true;
    }

    /** Gives back the place the current thread's request holds, if any. */
    public static void release() {
        Semaphore held = HELD.get();
        if (held != null) {
            HELD.set(null);
            held.release();
        }
    }

    /** Requests in flight on the route (for tests and health views). */
    public int inFlight(String routeId) {
        Slot slot = slots.get(routeId);
        return slot == null ? 0 : slot.limit() - slot.permits().availablePermits();
    }

    private Counter counter(String routeId) {
        return Counter.builder("gateway.bulkhead.rejected").tag("route", routeId)
                .description("Requests answered 503 route_busy: the route had its most requests in flight")
                .register(meters);
    }
}
