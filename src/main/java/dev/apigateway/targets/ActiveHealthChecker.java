package dev.apigateway.targets;

import dev.apigateway.observability.GatewayEvents;
import java.io.InputStream;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.support.DefaultExchange;

/**
 * Runs a route's {@link ActiveHealthCheck}: every interval, {@code GET path} on each target through the target's own
 * http producer (same pool, TLS and timeouts as the requests), and moves the target in or out of rotation after the
 * thresholds. A change is logged once. Runs on the gateway's health-check thread, never on a request's.
 */
final class ActiveHealthChecker implements Runnable {

    private final String route;
    private final ActiveHealthCheck check;
    private final CamelContext camel;
    private final Producer[] producers;
    private final String[] labels;
    private final TargetHealth health;
    private final int[] goodInRow;
    private final int[] badInRow;
    private ScheduledFuture<?> schedule;

    ActiveHealthChecker(String route, ActiveHealthCheck check, CamelContext camel, Producer[] producers,
                        String[] labels, TargetHealth health) {
        this.route = route;
        this.check = check;
        this.camel = camel;
        this.producers = producers;
        this.labels = labels;
        this.health = health;
        this.goodInRow = new int[producers.length];
        this.badInRow = new int[producers.length];
    }

    synchronized void start(ScheduledExecutorService scheduler) {
        long every = check.interval().toMillis();
        schedule = scheduler.scheduleWithFixedDelay(this, every, every, TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }

    @Override
    public void run() {
        for (int i = 0; i < producers.length; i++) {
            record(i, probe(producers[i]));
        }
    }

    /** Whether the target answered the check below 400. */
    boolean probe(Producer producer) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, HttpMethods.GET);
        exchange.getMessage().setHeader(Exchange.HTTP_PATH, check.path());
        try {
            producer.process(exchange);
        } catch (Exception e) {
            return false;
        } finally {
            // the answer streams (disableStreamCache): closing it gives the connection back to the pool
            if (exchange.getMessage().getBody() instanceof InputStream body) {
                try {
                    body.close();
                } catch (Exception ignored) {
                    // the connection is dropped instead
                }
            }
        }
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return exchange.getException() == null && status != null && status < 400;
    }

    void record(int target, boolean healthy) {
        boolean down = health.isDown(target);
        if (healthy) {
            badInRow[target] = 0;
            if (down && ++goodInRow[target] >= check.healthyThreshold()) {
                goodInRow[target] = 0;
                health.setDown(target, false);
                GatewayEvents.targetHealthy(route, labels[target]);
            }
        } else {
            goodInRow[target] = 0;
            if (!down && ++badInRow[target] >= check.unhealthyThreshold()) {
                badInRow[target] = 0;
                health.setDown(target, true);
                GatewayEvents.targetUnhealthy(route, labels[target], check.path());
            }
        }
    }
}
