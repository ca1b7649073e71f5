package dev.apigateway.web;

import dev.apigateway.error.ErrorAnswer;
import dev.apigateway.proxy.ClientAnswerWriter;
import dev.apigateway.proxy.ProxyHeaders;
import dev.apigateway.proxy.RequestIdFilter;
import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's own error answers (a request it refuses before any servlet runs: a raw {@code ..} escaping the root,
 * an encoded slash, a malformed header) in the gateway's JSON format instead of Tomcat's HTML page.
 *
 * <p>Also where an answer the gateway had to give up half way ends: when {@link ClientAnswerWriter} could not read
 * the rest of the upstream's body after the head was sent, it marks the request, and the connection is closed here
 * at once, without the terminating chunk (or short of the {@code Content-Length}), so the client sees a broken
 * answer instead of a short one that looks whole. Tomcat does the same for a servlet that fails after committing
 * (see {@link ErrorReportValve#invoke}); the servlet API has no way to say it.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        super.invoke(request, response);
        Object aborted = request.getAttribute(ClientAnswerWriter.ABORTED_ATTRIBUTE);
        if (aborted != null) {
            // what is buffered is dropped, and the connection is not reused
            response.getCoyoteResponse().action(ActionCode.CLOSE_NOW, aborted);
        }
    }

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
        try {
            ErrorAnswer.writeContainerError(response, status, request.getMethod(), request.getRequestURI(),
                    requestId);
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the answer was already started
        }
    }
}
