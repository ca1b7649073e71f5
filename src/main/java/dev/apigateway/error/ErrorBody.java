package dev.apigateway.error;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The body of every answer the gateway makes itself: {@code {"error": CODE, "message": ..., "requestId": ...}},
 * always UTF-8, whatever charset the client's request named.
 */
public final class ErrorBody {

    public static final String CONTENT_TYPE = "application/json";

    private ErrorBody() {
    }

    public static String json(String code, String message, String requestId) {
        StringBuilder sb = new StringBuilder(96);
        sb.append("{\"error\":");
        quote(sb, code);
        sb.append(",\"message\":");
        quote(sb, message);
        sb.append(",\"requestId\":");
        quote(sb, requestId);
        return sb.append('}').toString();
    }

    /** The body as it goes on the wire. */
    public static byte[] bytes(GatewayError error, String message, String requestId) {
        return json(error.code(), message, requestId).getBytes(StandardCharsets.UTF_8);
    }

    private static void quote(StringBuilder sb, String value) {
        if (value == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, sb);
        sb.append('"');
    }
}
