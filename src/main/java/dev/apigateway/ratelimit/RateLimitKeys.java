package dev.apigateway.ratelimit;

/** Redis key names of the rate limiter, in one place. */
public final class RateLimitKeys {

    public static final String BUCKET_PREFIX = "api-gateway:rate-limit:";

    private RateLimitKeys() {
    }

    /**
     * {@code api-gateway:rate-limit:{<route>:<clientKey>}}: the whole bucket identity is the Cluster
     * hash tag, so one bucket lives in one slot and different buckets spread over all slots.
     */
    public static String bucketKey(String routeId, String clientKey) {
        return BUCKET_PREFIX + '{' + routeId + ':' + clientKey + '}';
    }
}
