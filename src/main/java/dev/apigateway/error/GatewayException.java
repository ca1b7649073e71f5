package dev.apigateway.error;

import java.util.Map;

/**
 * An answer the gateway makes itself, from the catalogue, with the message and any headers of this occurrence
 * ({@code Retry-After}). The shared error configuration turns it into the contract's JSON body. Thrown on every
 * refused request, so it carries no stack trace.
 */
public class GatewayException extends RuntimeException {

    private final GatewayError error;
    private final Map<String, String> headers;

    public GatewayException(GatewayError error, String message) {
        this(error, message, Map.of());
    }

    public GatewayException(GatewayError error, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.error = error;
        this.headers = headers;
    }

    public GatewayError error() {
        return error;
    }

    /** Headers of this answer, beside the catalogue's own for the error. */
    public Map<String, String> headers() {
        return headers;
    }

    public static GatewayException badRequest(String message) {
        return new GatewayException(GatewayError.BAD_REQUEST, message);
    }
}
