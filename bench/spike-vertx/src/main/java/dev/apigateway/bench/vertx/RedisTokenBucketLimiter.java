package dev.apigateway.bench.vertx;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * The gateway's Redis token bucket as an {@link AsyncProcessor}: one {@code EVALSHA} of the gateway's own
 * {@code token_bucket.lua} (copied into this jar by the build) per request, bucket key
 * {@code api-gateway:rate-limit:{proxy:<client address>}}, the policy's arguments encoded once, as
 * {@code RedisTokenBucketStore} does. Unlike the gateway it never waits for the reply: the Camel callback is completed
 * from Lettuce's future, back on the request's event loop ({@link RequestLoop}). A refusal is the gateway's 429 with
 * {@code Retry-After}; a Redis failure or timeout (Lettuce's command timeout, {@code STORE_TIMEOUT_MS}) a 503 with
 * the JSON error body (no fail-open or fallback store in the spike).
 */
final class RedisTokenBucketLimiter extends AsyncProcessorSupport {

    private static final String KEY_PREFIX = "api-gateway:rate-limit:{proxy:";
    private static final byte[] NO_NOW = new byte[0];

    private final RedisScriptingAsyncCommands<byte[], byte[]> redis;
    private final byte[] script;
    private final String sha1;
    private final byte[][] args;

    RedisTokenBucketLimiter(RedisScriptingAsyncCommands<byte[], byte[]> redis, byte[] script, long capacity,
            long refillTokens, long refillPeriodMicros) {
        this.redis = redis;
        this.script = script;
        this.sha1 = sha1(script);
        // TokenBucketMath.ttlMillis: time to refill an empty bucket plus a margin, at least a second
        double fillMillis = (double) capacity * refillPeriodMicros / refillTokens / 1000.0;
        long ttlMillis = Math.max(1_000, (long) Math.ceil(fillMillis) + 1_000);
        this.args = new byte[][] {ascii(capacity), ascii(refillTokens), ascii(refillPeriodMicros), ascii(ttlMillis),
                NO_NOW};
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ContextInternal loop = RequestLoop.current();
        byte[][] keys = {key(exchange.getMessage()).getBytes(StandardCharsets.UTF_8)};
        CompletionStage<List<Object>> reply;
        try {
            reply = redis.<List<Object>>evalsha(sha1, ScriptOutputType.MULTI, keys, args)
                    .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                            ? redis.<List<Object>>eval(script, ScriptOutputType.MULTI, keys, args)
                            : java.util.concurrent.CompletableFuture.failedFuture(unwrap(e)));
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        reply.whenComplete((result, error) -> {
            if (error != null) {
                answer(exchange, 503, "store_unavailable", "the rate limit store did not answer: "
                        + unwrap(error).getClass().getSimpleName());
            } else if (((Number) result.get(0)).longValue() != 1L) {
                answer(exchange, 429, "rate_limited", "too many requests");
            }
            RequestLoop.resume(loop, () -> callback.done(false));
        });
        return false;
    }

    private static void answer(Exchange exchange, int status, String error, String message) {
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader("Retry-After", "1");
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(SpikeErrors.json(error, message, exchange.getExchangeId()));
        exchange.setRouteStop(true);
    }

    private static String key(Message in) {
        SocketAddress remote = in.getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS, SocketAddress.class);
        return KEY_PREFIX + (remote == null ? "unknown" : remote.hostAddress()) + '}';
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static String sha1(byte[] script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
