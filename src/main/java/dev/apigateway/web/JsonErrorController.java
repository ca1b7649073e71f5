package dev.apigateway.web;

import dev.apigateway.error.ErrorBody;
import dev.apigateway.error.ErrorCodes;
import dev.apigateway.proxy.RequestIdFilter;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers that Spring MVC or the servlet container make outside any route (no route matches, a method the route
 * does not take, a request the container refused) in the gateway's JSON error format instead of Spring's.
 */
@RestController
public class JsonErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    public ResponseEntity<String> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 404; // no error dispatch: a client asked for the error path itself
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri != null ? uri.toString() : request.getRequestURI();
        String errorCode;
        String message;
        switch (status) {
            case 404 -> {
                errorCode = ErrorCodes.NOT_FOUND;
                message = "no route serves " + path;
            }
            case 405 -> {
                errorCode = ErrorCodes.METHOD_NOT_ALLOWED;
                message = "method " + request.getMethod() + " is not allowed on " + path;
            }
            case 413 -> {
                errorCode = ErrorCodes.PAYLOAD_TOO_LARGE;
                message = "request body is too large";
            }
            default -> {
                if (status >= 400 && status < 500) {
                    errorCode = ErrorCodes.BAD_REQUEST;
                    message = "the request could not be handled";
                } else {
                    errorCode = ErrorCodes.INTERNAL_ERROR;
                    message = "the gateway failed to handle the request";
                }
            }
        }
        return ResponseEntity.status(HttpStatus.valueOf(status))
                .contentType(MediaType.APPLICATION_JSON)
                .body(ErrorBody.json(errorCode, message, RequestIdFilter.requestId(request)));
    }
}
