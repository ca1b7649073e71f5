package dev.apigateway.ratelimit;

/** Redis key names of the rate limiter, in one place. */
public final class RateLimitKeys {

    public static final String BUCKET_PREFIX = "api-gateway:rate-limit:";

    /**
     * The longest key-header value that keys a bucket; a longer one is taken as missing (the client address keys the
     * bucket), so a client cannot make the gateway hash arbitrary amounts per request.
     */
    public static final int MAX_HEADER_VALUE_LENGTH = 2048;

    private static final java.util.HexFormat HEX = java.util.HexFormat.of();
    private static final ThreadLocal<java.security.MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every Java platform has SHA-256
        }
    });

    private RateLimitKeys() {
    }

    /**
     * {@code api-gateway:rate-limit:{<route>:<clientKey>}}: the whole bucket identity is the Cluster
     * hash tag, so one bucket lives in one slot and different buckets spread over all slots.
     */
    public static String bucketKey(String routeId, String clientKey) {
        return BUCKET_PREFIX + '{' + routeId + ':' + clientKey + '}';
    }

    /**
     * The key of one limit's bucket: {@link #bucketKey} for the limit named {@code default} (the key a one-limit route
     * has always used), {@code bucketKey:<limit>} for any other. Every limit of one client on one route keeps the
     * same hash tag, so the one script call that checks them all touches a single Cluster slot.
     */
    public static String limitKey(String routeId, String clientKey, String limitName) {
        String bucket = bucketKey(routeId, clientKey);
        return NamedLimit.DEFAULT_NAME.equals(limitName) ? bucket : bucket + ':' + limitName;
    }

    /**
     * The client key of a key-header value: {@code key:} and the first 128 bits of its SHA-256 in hex. The value is
     * often a secret (an API key, a token): it never appears in a Redis key name, a log line or a metric.
     */
    public static String headerKey(String value) {
        java.security.MessageDigest digest = SHA256.get();
        byte[] hash = digest.digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "key:" + HEX.formatHex(hash, 0, 16);
    }
}
