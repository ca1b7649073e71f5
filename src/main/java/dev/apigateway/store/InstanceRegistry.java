package dev.apigateway.store;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Gateway instances sharing one Redis announce themselves in the sorted set
 * {@code api-gateway:instances} (member = instance id, score = when the heartbeat expires) and read
 * how many are alive, in one script, in the background. The count serves the {@code local} fail
 * mode: each instance limits with its share (1/n) of the limit while Redis is unreachable, so the
 * last count seen before the outage is what matters. Never called on the request path.
 */
public class InstanceRegistry implements IntSupplier, SmartLifecycle, AutoCloseable {

    /** After the Redis connection factory (phase 0), before the web server takes requests. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

    public static final String KEY = "api-gateway:instances";
    public static final String SCRIPT_LOCATION = "META-INF/scripts/instance_heartbeat.lua";
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(15);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /** Longest the start waits for the first connection (Spring's connect timeout is 2 s). */
    public static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(3);

    private static final Logger log = LoggerFactory.getLogger(InstanceRegistry.class);
    private static final RedisScript<Long> SCRIPT =
            RedisScript.of(new ClassPathResource(SCRIPT_LOCATION), Long.class);

    private final StringRedisTemplate redis;
    private final SharedStore guard;
    private final String instanceId;
    private final Duration ttl;
    private final Duration interval;
    private volatile int lastSeen = 1;
    private ScheduledExecutorService scheduler;

    public InstanceRegistry(StringRedisTemplate redis, SharedStore guard, String instanceId) {
        this(redis, guard, instanceId, DEFAULT_TTL, DEFAULT_INTERVAL);
    }

    public InstanceRegistry(StringRedisTemplate redis, SharedStore guard, String instanceId, Duration ttl,
                            Duration interval) {
        this.redis = redis;
        this.guard = guard;
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        if (interval.compareTo(ttl) >= 0) {
            throw new IllegalArgumentException("heartbeat interval " + interval + " must be shorter than its TTL " + ttl);
        }
        this.ttl = ttl;
        this.interval = interval;
    }

    /**
     * Connects (waiting at most {@link #WARM_UP_TIMEOUT}), then starts the background heartbeat. A
     * cold connection takes far longer than {@code STORE_TIMEOUT_MS}; made here, outside the guard,
     * it does not turn the first requests into store errors. A Redis that is down does not stop
     * the start: the guard and the fail mode take over.
     */
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "instance-heartbeat");
            t.setDaemon(true);
            return t;
        });
        Future<?> warmUp = scheduler.submit(this::warmUp);
        try {
            warmUp.get(WARM_UP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            String error = e instanceof TimeoutException ? "no answer within " + WARM_UP_TIMEOUT.toSeconds() + " s"
                    : String.valueOf(e.getCause());
            log.atWarn().addKeyValue("event", "store_unavailable").addKeyValue("store", "redis")
                    .addKeyValue("error", error)
                    .log("redis not reachable at start ({}); the fail mode decides until it is", error);
            log.debug("redis warm-up failed", e);
        }
        scheduler.scheduleWithFixedDelay(this::beatQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Pings until Redis answers or the warm-up time is up. The connection handshake runs under the
     * command timeout ({@code STORE_TIMEOUT_MS}), which a cold JVM can miss; a later try is warm.
     */
    private void warmUp() {
        long deadline = System.nanoTime() + WARM_UP_TIMEOUT.toNanos();
        while (true) {
            try {
                redis.execute((RedisCallback<String>) RedisConnection::ping);
                beat(); // loads the script too, so the first guarded heartbeat is warm
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline - TimeUnit.MILLISECONDS.toNanos(200)) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Sends one heartbeat now and returns the live count it read. */
    public int heartbeat() {
        return guard.call("heartbeat", this::beat);
    }

    private int beat() {
        Long count = redis.execute(SCRIPT, List.of(KEY), instanceId, Long.toString(ttl.toMillis()), "");
        if (count != null && count > 0) {
            lastSeen = (int) Math.min(Integer.MAX_VALUE, count);
        }
        return lastSeen;
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Live instances at the last successful heartbeat, this one included; 1 before the first. */
    public int liveInstances() {
        return lastSeen;
    }

    @Override
    public int getAsInt() {
        return liveInstances();
    }

    public String instanceId() {
        return instanceId;
    }

    private void beatQuietly() {
        try {
            heartbeat();
        } catch (StoreUnavailableException e) {
            // counted and logged by the guard; keep the last count for the local fail mode
        } catch (RuntimeException e) {
            log.debug("instance heartbeat failed", e);
        }
    }

    /** Stops the heartbeat and leaves the set, so the others' share grows at once (best effort). */
    @Override
    public synchronized void close() {
        if (scheduler == null) {
            return;
        }
        scheduler.shutdownNow();
        scheduler = null;
        try {
            guard.call("heartbeat", () -> redis.opsForZSet().remove(KEY, instanceId));
        } catch (RuntimeException e) {
            log.debug("could not leave the instance set", e);
        }
    }
}
