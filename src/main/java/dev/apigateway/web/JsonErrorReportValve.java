package dev.apigateway.web;

import dev.apigateway.error.ErrorBody;
import dev.apigateway.error.ErrorCodes;
import dev.apigateway.proxy.ProxyHeaders;
import dev.apigateway.proxy.RequestIdFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's own error answers (a request it refuses before any servlet runs: a raw {@code ..} escaping the root,
 * an encoded slash, a malformed header) in the gateway's JSON format instead of Tomcat's HTML page.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String requestId = RequestIdFilter.requestId(request.getRequest());
        if (requestId == null) {
            requestId = RequestIdFilter.newId();
            response.setHeader(ProxyHeaders.REQUEST_ID, requestId);
        }
        String code = switch (status) {
            case 404 -> ErrorCodes.NOT_FOUND;
            case 405 -> ErrorCodes.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCodes.PAYLOAD_TOO_LARGE;
            default -> status < 500 ? ErrorCodes.BAD_REQUEST : ErrorCodes.INTERNAL_ERROR;
        };
        String message = status < 500 ? "the request is malformed" : "the gateway failed to handle the request";
        try {
            byte[] body = ErrorBody.json(code, message, requestId).getBytes(StandardCharsets.UTF_8);
            response.setContentType(ErrorBody.CONTENT_TYPE);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the answer was already started
        }
    }
}
