package dev.apigateway.web;

import dev.apigateway.error.ErrorAnswer;
import dev.apigateway.proxy.RequestIdFilter;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers that Spring MVC or the servlet container make outside any route (no route matches, a method the route
 * does not take, a request the container refused) in the gateway's JSON error format instead of Spring's; the
 * status stays theirs, the code comes from the catalogue ({@code GatewayError.forStatus}).
 */
@RestController
public class JsonErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 404; // no error dispatch: a client asked for the error path itself
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri != null ? uri.toString() : request.getRequestURI();
        ErrorAnswer.writeContainerError(response, status, request.getMethod(), path,
                RequestIdFilter.requestId(request));
    }
}
