package dev.apigateway.proxy;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Header names and the hop-by-hop rules (RFC 9110 section 7.6.1) the gateway applies in both directions. */
public final class ProxyHeaders {

    public static final String REQUEST_ID = "X-Request-Id";
    public static final String FORWARDED_FOR = "X-Forwarded-For";
    public static final String FORWARDED_PROTO = "X-Forwarded-Proto";
    public static final String FORWARDED_HOST = "X-Forwarded-Host";
    public static final String CONNECTION = "Connection";
    public static final String RETRY_AFTER = "Retry-After";

    /** Request attribute holding the request id, set by {@link RequestIdFilter}. */
    public static final String REQUEST_ID_ATTRIBUTE = "dev.apigateway.requestId";

    public static final String FORWARDED = "Forwarded";
    public static final String FORWARDED_PORT = "X-Forwarded-Port";
    public static final String FORWARDED_PREFIX = "X-Forwarded-Prefix";
    public static final String REAL_IP = "X-Real-IP";

    /**
     * Exchange property: the header names the client's {@code Connection} header listed. They apply to the client's
     * request only and are dropped when it is bound, before the gateway adds headers of its own.
     */
    public static final String CONNECTION_TOKENS_PROPERTY = "gateway.connectionTokens";

    /**
     * Exchange property: the header names the upstream's {@code Connection} header listed. They apply to the
     * upstream's answer only: dropped from it, never from the request nor from headers the gateway adds.
     */
    public static final String RESPONSE_CONNECTION_TOKENS_PROPERTY = "gateway.responseConnectionTokens";

    private static final Set<String> HOP_BY_HOP = caseInsensitive(
            "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection",
            "TE", "Trailer", "Trailers", "Transfer-Encoding", "Upgrade");

    private ProxyHeaders() {
    }

    public static boolean isHopByHop(String name) {
        return HOP_BY_HOP.contains(name);
    }

    /** Headers that steer Camel (any letter case); a client or an upstream must never set them. */
    public static boolean isCamelControl(String name) {
        return name.regionMatches(true, 0, "Camel", 0, 5) || name.regionMatches(true, 0, "org.apache.camel", 0, 16);
    }

    /** The header names a {@code Connection} header value lists, lower-cased; {@code close} and {@code keep-alive} included. */
    public static void addConnectionTokens(String connectionValue, Set<String> into) {
        if (connectionValue == null) {
            return;
        }
        for (String token : connectionValue.split(",")) {
            String name = token.trim();
            if (!name.isEmpty()) {
                into.add(name.toLowerCase(Locale.ROOT));
            }
        }
    }

    private static Set<String> caseInsensitive(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(Set.of(names));
        return set;
    }
}
