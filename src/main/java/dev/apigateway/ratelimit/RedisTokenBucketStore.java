package dev.apigateway.ratelimit;

import java.util.List;
import java.util.OptionalLong;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Buckets in Redis, shared by every gateway instance: one {@code token_bucket.lua} call per request,
 * so one round trip and one atomic step. The refill uses the Redis server's clock unless the caller
 * gives a {@code now} (tests).
 *
 * <p>The script runs through {@link StringRedisTemplate#execute(RedisScript, List, Object...)}:
 * EVALSHA, and EVAL (which loads it again) when the server answers NOSCRIPT after a restart or failover.
 */
public class RedisTokenBucketStore implements TokenBucketStore {

    public static final String SCRIPT_LOCATION = "META-INF/scripts/token_bucket.lua";

    private final StringRedisTemplate redis;
    private final RedisScript<List> script;

    public RedisTokenBucketStore(StringRedisTemplate redis) {
        this(redis, tokenBucketScript());
    }

    public RedisTokenBucketStore(StringRedisTemplate redis, RedisScript<List> script) {
        this.redis = redis;
        this.script = script;
    }

    /** The script as a Spring {@link RedisScript}; its SHA1 is computed once. */
    @SuppressWarnings("rawtypes")
    public static RedisScript<List> tokenBucketScript() {
        return RedisScript.of(new ClassPathResource(SCRIPT_LOCATION), List.class);
    }

    @Override
    public RateLimitDecision acquire(String routeId, String clientKey, RateLimitPolicy policy, OptionalLong nowMicros) {
        List<?> reply = redis.execute(script, List.of(RateLimitKeys.bucketKey(routeId, clientKey)),
                Long.toString(policy.capacity()),
                Long.toString(policy.refillTokens()),
                Long.toString(policy.refillPeriodMicros()),
                Long.toString(TokenBucketMath.ttlMillis(policy)),
                nowMicros.isPresent() ? Long.toString(nowMicros.getAsLong()) : "");
        if (reply == null || reply.size() < 2) {
            throw new IllegalStateException("token_bucket.lua returned " + reply);
        }
        boolean allowed = ((Number) reply.get(0)).longValue() == 1L;
        double tokens = Double.parseDouble(reply.get(1).toString());
        return TokenBucketMath.decision(allowed, tokens, policy);
    }
}
