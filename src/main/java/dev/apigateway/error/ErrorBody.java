package dev.apigateway.error;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The body of every answer the gateway makes itself: {@code {"error": CODE, "message": ..., "requestId": ...}}. */
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

    /** Writes an error answer straight to the servlet response, for answers made outside a Camel route. */
    public static void write(HttpServletResponse response, int status, String code, String message, String requestId)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        byte[] body = json(code, message, requestId).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(CONTENT_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
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
