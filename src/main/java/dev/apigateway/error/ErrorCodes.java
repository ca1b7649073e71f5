package dev.apigateway.error;

/** The {@code error} values of the gateway's own JSON answers, as the contract names them. */
public final class ErrorCodes {

    public static final String RATE_LIMITED = "rate_limited";
    public static final String CIRCUIT_OPEN = "circuit_open";
    public static final String STORE_UNAVAILABLE = "store_unavailable";
    public static final String UPSTREAM_TIMEOUT = "upstream_timeout";
    public static final String UPSTREAM_UNREACHABLE = "upstream_unreachable";
    public static final String UPSTREAM_BUSY = "upstream_busy";
    public static final String BAD_REQUEST = "bad_request";
    public static final String PAYLOAD_TOO_LARGE = "payload_too_large";
    public static final String NOT_FOUND = "not_found";
    public static final String METHOD_NOT_ALLOWED = "method_not_allowed";
    public static final String INTERNAL_ERROR = "internal_error";

    private ErrorCodes() {
    }
}
