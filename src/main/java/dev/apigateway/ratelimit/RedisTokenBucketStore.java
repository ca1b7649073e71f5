package dev.apigateway.ratelimit;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceExceptionConverter;

/**
 * Buckets in Redis, shared by every gateway instance: one {@code token_bucket.lua} call per request over
 * every limit of the route (one key per limit, all under one hash tag), so one round trip and one atomic step. The refill uses the Redis server's clock unless the caller
 * gives a {@code now} (tests).
 *
 * <p>The script goes straight to Lettuce's asynchronous {@code EVALSHA} on the factory's shared native connection
 * (which pipelines the commands of every request thread), with the policy's arguments encoded once: Spring Data
 * Redis's {@code RedisTemplate} path (connection proxy, transaction-synchronisation lookup, serialisers) cost
 * about ten times Lettuce's own dispatch in a profile. {@code NOSCRIPT} (after a Redis restart or failover) is
 * answered with one {@code EVAL}, which loads the script again. Works for standalone, Sentinel and Cluster
 * factories alike (their native async commands all script).
 */
public class RedisTokenBucketStore implements TokenBucketStore {

    public static final String SCRIPT_LOCATION = "META-INF/scripts/token_bucket.lua";

    private static final LettuceExceptionConverter EXCEPTIONS = new LettuceExceptionConverter();
    private static final byte[] NO_NOW = new byte[0];
    private static final byte[] ONE = {'1'};
    private static final byte[] ZERO = {'0'};

    private final LettuceConnectionFactory factory;
    private final long timeoutNanos;
    private final byte[] script = scriptSource().getBytes(StandardCharsets.UTF_8);
    private final String sha1 = sha1(script);
    /** The plan's fixed arguments, encoded once per plan (a route has one, a file reload makes another). */
    private final Map<RateLimitPlan, byte[][]> encodedPlans = new ConcurrentHashMap<>();
    private volatile RedisScriptingAsyncCommands<byte[], byte[]> commands;

    /**
     * @param factory the gateway's Lettuce connection factory (its shared native connection is used)
     * @param timeout the longest a request waits for the script's answer ({@code STORE_TIMEOUT_MS})
     */
    public RedisTokenBucketStore(LettuceConnectionFactory factory, Duration timeout) {
        this.factory = factory;
        this.timeoutNanos = timeout.toNanos();
    }

    /** The SHA1 under which Redis caches the script ({@code SCRIPT EXISTS} in tests). */
    public static String scriptSha1() {
        return sha1(scriptSource().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public RateLimitVerdict acquire(String routeId, String clientKey, RateLimitPlan plan, long cost,
                                    OptionalLong nowMicros) {
        List<NamedLimit> limits = plan.limits();
        byte[][] keys = new byte[limits.size()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = RateLimitKeys.limitKey(routeId, clientKey, limits.get(i).name()).getBytes(StandardCharsets.UTF_8);
        }
        byte[][] fixed = encodedPlans.computeIfAbsent(plan, RedisTokenBucketStore::encode);
        byte[][] args = new byte[fixed.length + 2][];
        args[0] = nowMicros.isPresent() ? ascii(nowMicros.getAsLong()) : NO_NOW;
        args[1] = cost == 1 ? ONE : ascii(cost);
        System.arraycopy(fixed, 0, args, 2, fixed.length);
        List<Object> reply = run(keys, args);
        if (reply == null || reply.size() != 1 + 2 * keys.length) {
            throw new IllegalStateException("token_bucket.lua returned " + reply);
        }
        List<TokenBucketMath.Bucket> after = new ArrayList<>(keys.length);
        for (int i = 0; i < keys.length; i++) {
            boolean admitted = ((Number) reply.get(1 + 2 * i)).longValue() == 1L;
            double tokens = Double.parseDouble(new String((byte[]) reply.get(2 + 2 * i), StandardCharsets.US_ASCII));
            after.add(new TokenBucketMath.Bucket(admitted, tokens, 0));
        }
        return TokenBucketMath.verdict(after, plan, cost);
    }

    private List<Object> run(byte[][] keys, byte[]... args) {
        // connecting (once, on the first call) is bounded by the client's connect timeout, not the request's
        RedisScriptingAsyncCommands<byte[], byte[]> redis = commands();
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            try {
                return await(redis.evalsha(sha1, ScriptOutputType.MULTI, keys, args), deadline);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RedisNoScriptException)) {
                    throw e;
                }
                return await(redis.eval(script, ScriptOutputType.MULTI, keys, args), deadline);
            }
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        } catch (TimeoutException e) {
            throw new QueryTimeoutException("no answer from Redis within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                    + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryTimeoutException("interrupted while waiting for Redis", e);
        } catch (RuntimeException e) {
            // rejected before it was sent (disconnected: Lettuce rejects commands instead of queueing them)
            throw translate(e);
        }
    }

    private static List<Object> await(java.util.concurrent.Future<List<Object>> reply, long deadline)
            throws ExecutionException, TimeoutException, InterruptedException {
        return reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private RuntimeException translate(Throwable cause) {
        RuntimeException converted = cause instanceof Exception e ? EXCEPTIONS.convert(e) : null;
        return converted != null ? converted
                : cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
    }

    /**
     * The shared native connection's async commands, taken once. Lettuce reconnects that connection by itself, so
     * the same object serves again once Redis is back.
     */
    @SuppressWarnings("unchecked")
    private RedisScriptingAsyncCommands<byte[], byte[]> commands() {
        RedisScriptingAsyncCommands<byte[], byte[]> c = commands;
        if (c == null) {
            synchronized (this) {
                c = commands;
                if (c == null) {
                    RedisConnection connection = factory.isClusterAware() ? factory.getClusterConnection()
                            : factory.getConnection();
                    try {
                        c = (RedisScriptingAsyncCommands<byte[], byte[]>) ((LettuceConnection) connection)
                                .getNativeConnection();
                    } finally {
                        // closes the wrapper only: the shared native connection stays open
                        connection.close();
                    }
                    commands = c;
                }
            }
        }
        return c;
    }

    private static byte[][] encode(RateLimitPlan plan) {
        byte[][] args = new byte[5 * plan.limits().size()][];
        int i = 0;
        for (NamedLimit limit : plan.limits()) {
            RateLimitPolicy policy = limit.policy();
            args[i++] = ascii(policy.capacity());
            args[i++] = ascii(policy.refillTokens());
            args[i++] = ascii(policy.refillPeriodMicros());
            args[i++] = ascii(TokenBucketMath.ttlMillis(policy));
            args[i++] = limit.shadow() ? ONE : ZERO;
        }
        return args;
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static String scriptSource() {
        try (InputStream in = RedisTokenBucketStore.class.getClassLoader().getResourceAsStream(SCRIPT_LOCATION)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT_LOCATION + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(byte[] script) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(script));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
