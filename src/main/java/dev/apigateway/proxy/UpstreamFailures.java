package dev.apigateway.proxy;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.NoHttpResponseException;

/**
 * The exceptions of an upstream call that mean the upstream failed: the error configuration answers them 504 or
 * 502, and the circuit breaker counts them. One list, so the two never disagree.
 */
public final class UpstreamFailures {

    /** No response head in time: 504. */
    public static final List<Class<? extends Exception>> TIMEOUT = List.of(SocketTimeoutException.class);

    /** Connection refused, reset, closed without an answer, name not resolved, or connect timeout: 502. */
    public static final List<Class<? extends Exception>> UNREACHABLE = List.of(ConnectTimeoutException.class,
            HttpHostConnectException.class, ConnectException.class, NoRouteToHostException.class,
            UnknownHostException.class, NoHttpResponseException.class, SocketException.class);

    private UpstreamFailures() {
    }

    @SuppressWarnings("unchecked")
    public static Class<? extends Throwable>[] unreachable() {
        return UNREACHABLE.toArray(new Class[0]);
    }

    /** Whether the throwable, or one of its causes, is a timeout or an unreachable upstream. */
    public static boolean isUpstreamFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Class<? extends Exception> type : TIMEOUT) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
            for (Class<? extends Exception> type : UNREACHABLE) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }
}
