package dev.apigateway.circuitbreaker;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hard deadline of a half-open probe: a probe that has not reported when its lease ends has failed. Its
 * breaker opens again for another reset timeout (rather than the lease simply running out, which would let a
 * second probe start beside the first), and its own late outcome, when it comes, changes nothing.
 */
final class ProbeDeadlines {

    private static final Logger log = LoggerFactory.getLogger(BreakerRegistry.class);

    private final ScheduledExecutorService scheduler;
    private final ConcurrentMap<String, Permit> outstanding = new ConcurrentHashMap<>();

    ProbeDeadlines(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    void watch(Permit probe, long leaseMillis, Runnable failIt) {
        String token = probe.probeToken();
        outstanding.put(token, probe);
        try {
            scheduler.schedule(() -> {
                if (outstanding.remove(token) != null) {
                    log.atWarn().addKeyValue("event", "circuit_breaker_probe_deadline")
                            .addKeyValue("route", probe.routeId())
                            .log("circuit breaker probe of route {} did not report within its lease of {} ms: failed",
                                    probe.routeId(), leaseMillis);
                    failIt.run();
                }
            }, Math.max(1, leaseMillis), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            outstanding.remove(token);
        }
    }

    /** True when the outcome of {@code permit} is to be recorded: not a probe whose deadline already failed it. */
    boolean report(Permit permit) {
        return !permit.probe() || permit.probeToken().isEmpty() || outstanding.remove(permit.probeToken()) != null;
    }
}
