package dev.apigateway.error;

import java.util.Map;

/**
 * An answer the gateway makes itself, with its status, its error code and any headers it needs
 * ({@code Retry-After}). The shared error configuration turns it into the contract's JSON body.
 */
public class GatewayException extends RuntimeException {

    private final int status;
    private final String code;
    private final Map<String, String> headers;

    public GatewayException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public GatewayException(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = headers;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static GatewayException badRequest(String message) {
        return new GatewayException(400, ErrorCodes.BAD_REQUEST, message);
    }
}
