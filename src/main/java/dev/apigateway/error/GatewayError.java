package dev.apigateway.error;

import java.util.Map;

/**
 * Every answer the gateway makes itself: its status, the contract's {@code error} code, the message it carries when
 * the caller has nothing more precise, and the headers it always has. The one table of the gateway's own answers;
 * {@link ErrorAnswer} writes them, everything else throws a {@link GatewayException} (or another typed exception the
 * shared error configuration maps) or names a constant here.
 */
public enum GatewayError {

    BAD_REQUEST(400, "bad_request", "the request is malformed"),
    NOT_FOUND(404, "not_found", "no route serves the path"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed", "the method is not allowed on the path"),
    /** A state-changing admin operation without the right {@code ADMIN_TOKEN} (and, later, an unknown API key). */
    UNAUTHORIZED(401, "unauthorized", "credentials are missing or not valid"),
    /** A request body slower than the minimum rate, stalled, or a request past its total deadline. */
    REQUEST_TIMEOUT(408, "request_timeout", "the request took too long"),
    PAYLOAD_TOO_LARGE(413, "payload_too_large", "request body is too large"),
    RATE_LIMITED(429, "rate_limited", "rate limit exceeded"),
    INTERNAL_ERROR(500, "internal_error", "the gateway failed to handle the request"),
    /** Connection refused or reset, name not resolved, connect timeout, TLS or HTTP protocol failure. */
    UPSTREAM_UNREACHABLE(502, "upstream_unreachable", "the upstream could not be reached"),
    CIRCUIT_OPEN(503, "circuit_open", "the circuit breaker of the route is open"),
    STORE_UNAVAILABLE(503, "store_unavailable", "the rate-limit store is unavailable"),
    /** Every pooled connection to the upstream stayed in use past the connect timeout ({@code UPSTREAM_MAX_CONNECTIONS}). */
    UPSTREAM_BUSY(503, "upstream_busy", "every connection to the upstream is in use", Map.of("Retry-After", "1")),
    /** The route already has its most concurrent requests in flight ({@code ROUTE_MAX_CONCURRENT_REQUESTS}). */
    ROUTE_BUSY(503, "route_busy", "the route has too many requests in flight", Map.of("Retry-After", "1")),
    UPSTREAM_TIMEOUT(504, "upstream_timeout", "the upstream did not answer in time");

    private final int status;
    private final String code;
    private final String defaultMessage;
    private final Map<String, String> headers;

    GatewayError(int status, String code, String defaultMessage) {
        this(status, code, defaultMessage, Map.of());
    }

    GatewayError(int status, String code, String defaultMessage, Map<String, String> headers) {
        this.status = status;
        this.code = code;
        this.defaultMessage = defaultMessage;
        this.headers = headers;
    }

    public int status() {
        return status;
    }

    /** The {@code error} value of the JSON body. */
    public String code() {
        return code;
    }

    public String defaultMessage() {
        return defaultMessage;
    }

    /** Headers every answer of this kind carries (a caller may add or override some, such as {@code Retry-After}). */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * The answer for a status the servlet container or Spring MVC decided (no route, a method the route does not
     * take, a request refused before any route ran): 404, 405 and 413 by name, any other 4xx {@code bad_request},
     * anything else {@code internal_error}.
     */
    public static GatewayError forStatus(int status) {
        return switch (status) {
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 413 -> PAYLOAD_TOO_LARGE;
            default -> status >= 400 && status < 500 ? BAD_REQUEST : INTERNAL_ERROR;
        };
    }
}
