package dev.apigateway.proxy;

import java.net.SocketTimeoutException;

/**
 * The upstream call was cut because the request reached its total deadline ({@code REQUEST_DEADLINE_SECONDS}). A
 * {@link SocketTimeoutException}, so {@link UpstreamFailures} takes it for a timeout (answered
 * {@code 504 upstream_timeout}, a breaker failure) whatever the closed socket made HttpClient throw underneath.
 */
public final class UpstreamDeadlineException extends SocketTimeoutException {

    UpstreamDeadlineException(long deadlineSeconds, Throwable cause) {
        super("the request deadline of " + deadlineSeconds + " s passed during the upstream call");
        initCause(cause);
    }
}
