package dev.apigateway.error;

import dev.apigateway.proxy.GatewayExchange;
import dev.apigateway.proxy.ProxyHeaders;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The one writer of the gateway's own answers ({@link GatewayError}): into a Camel exchange, whose answer the
 * consumer then writes, or straight to a servlet response for answers made outside a route.
 */
public final class ErrorAnswer {

    private ErrorAnswer() {
    }

    /** Makes the exchange's answer the given error, with the catalogue's headers and then {@code headers}. */
    public static void write(Exchange exchange, GatewayError error, String message, Map<String, String> headers) {
        Message answer = exchange.getMessage();
        // Nothing of the request or of a half-received upstream answer leaks into an error answer.
        answer.getHeaders().clear();
        answer.setHeader(Exchange.HTTP_RESPONSE_CODE, error.status());
        answer.setHeader(Exchange.CONTENT_TYPE, ErrorBody.CONTENT_TYPE);
        Map<String, String> extra = GatewayExchange.responseHeaders(exchange);
        extra.putAll(error.headers());
        extra.putAll(headers);
        // bytes, not a String: always UTF-8, whatever charset the request named
        answer.setBody(ErrorBody.bytes(error, message, GatewayExchange.requestId(exchange)));
    }

    /** Writes the error to the servlet response unless the response is already committed. */
    public static void write(HttpServletResponse response, GatewayError error, String message, String requestId)
            throws IOException {
        write(response, error.status(), error, message, requestId);
    }

    /**
     * Writes the answer for a status the servlet container or Spring MVC decided, keeping that status; the code
     * comes from {@link GatewayError#forStatus(int)}.
     */
    public static void writeContainerError(HttpServletResponse response, int status, String method, String path,
                                           String requestId) throws IOException {
        GatewayError error = GatewayError.forStatus(status);
        String message = switch (error) {
            case NOT_FOUND -> "no route serves " + path;
            case METHOD_NOT_ALLOWED -> "method " + method + " is not allowed on " + path;
            default -> error.defaultMessage();
        };
        write(response, status, error, message, requestId);
    }

    private static void write(HttpServletResponse response, int status, GatewayError error, String message,
                              String requestId) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        byte[] body = ErrorBody.bytes(error, message, requestId);
        response.setStatus(status);
        error.headers().forEach(response::setHeader);
        if (requestId != null && !response.containsHeader(ProxyHeaders.REQUEST_ID)) {
            response.setHeader(ProxyHeaders.REQUEST_ID, requestId);
        }
        response.setContentType(ErrorBody.CONTENT_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
