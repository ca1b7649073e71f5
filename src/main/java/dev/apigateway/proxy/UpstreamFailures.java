package dev.apigateway.proxy;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.UnsupportedSchemeException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.util.DeadlineTimeoutException;

/**
 * What an exception of an upstream call means, for the error configuration (which answer) and the circuit breaker
 * (whether it counts): one table, so the two never disagree. The http producer (Apache HttpClient 5 classic) wraps
 * some of these ({@code RequestFailedException} around a {@link DeadlineTimeoutException},
 * {@link ClientProtocolException} around a {@link ProtocolException}, an {@link SSLException} around certificate
 * faults), so {@link #kind(Throwable)} walks the causes, outermost first, and at each level checks the more specific
 * kinds first: a {@link ConnectTimeoutException} is a {@link SocketTimeoutException} but means unreachable.
 */
public final class UpstreamFailures {

    public enum Kind {
        /** No pooled connection free within the connect timeout: the gateway's own limit, not the upstream's. */
        BUSY,
        /** The upstream cannot be talked to: refused, reset, name not resolved, connect timeout, TLS or HTTP protocol failure. */
        UNREACHABLE,
        /** Connected, but no response head (or no body bytes) within the upstream timeout. */
        TIMEOUT
    }

    /** Pool lease past its deadline. The pool reports it either way, depending on where the wait ended. */
    static final List<Class<? extends Exception>> BUSY = List.of(ConnectionRequestTimeoutException.class,
            DeadlineTimeoutException.class);

    static final List<Class<? extends Exception>> UNREACHABLE = List.of(
            ConnectTimeoutException.class, HttpHostConnectException.class, ConnectException.class,
            NoRouteToHostException.class, UnknownHostException.class, NoHttpResponseException.class,
            // reset, broken pipe
            SocketException.class,
            // handshake failed (certificate not trusted, plain HTTP on the port), or a broken TLS record later
            SSLException.class,
            // an answer that is not HTTP: bad status line or headers, head too large, broken chunked coding,
            // closed before the promised end of the body
            ProtocolException.class, ClientProtocolException.class, MessageConstraintException.class,
            MalformedChunkCodingException.class, ConnectionClosedException.class,
            UnsupportedSchemeException.class);

    static final List<Class<? extends Exception>> TIMEOUT = List.of(SocketTimeoutException.class);

    private UpstreamFailures() {
    }

    /** The kind of upstream failure the throwable or one of its causes is; null when it is none. */
    public static Kind kind(Throwable failure) {
        return firstCause(failure, t -> matches(BUSY, t) ? Kind.BUSY
                : matches(UNREACHABLE, t) ? Kind.UNREACHABLE
                : matches(TIMEOUT, t) ? Kind.TIMEOUT : null);
    }

    /**
     * Whether the breaker counts the throwable as a failure of the upstream: a timeout or an unreachable upstream.
     * A pool lease that timed out is not one: it says the gateway's pool is full, and the calls holding it report
     * the upstream's health themselves.
     */
    public static boolean isUpstreamFailure(Throwable failure) {
        return isUpstreamFailure(kind(failure));
    }

    /** {@link #isUpstreamFailure(Throwable)} for a kind already known. */
    public static boolean isUpstreamFailure(Kind kind) {
        return kind == Kind.UNREACHABLE || kind == Kind.TIMEOUT;
    }

    /** The request never reached the target: refused, connect timed out, no route, name not resolved. */
    static final List<Class<? extends Exception>> NOT_CONNECTED = List.of(ConnectTimeoutException.class,
            ConnectException.class, NoRouteToHostException.class, UnknownHostException.class);

    /** The connection broke before any answer came back: reset, broken pipe, closed without an answer. */
    static final List<Class<? extends Exception>> RESET = List.of(NoHttpResponseException.class,
            SocketException.class, ConnectionClosedException.class);

    /**
     * Whether the request could not even be sent (no connection was made): safe to send to another target whatever
     * its method.
     */
    public static boolean notConnected(Throwable failure) {
        return first(failure, NOT_CONNECTED);
    }

    /** Whether the connection broke before the answer's head: an idempotent request may be sent again elsewhere. */
    public static boolean resetBeforeAnswer(Throwable failure) {
        return !notConnected(failure) && first(failure, RESET);
    }

    private static boolean first(Throwable failure, List<Class<? extends Exception>> types) {
        return firstCause(failure, t -> matches(types, t) ? Boolean.TRUE : null) != null;
    }

    /** What {@code test} says of the throwable or its causes, outermost first: the first non-null answer. */
    private static <T> T firstCause(Throwable failure, Function<Throwable, T> test) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause() == t ? null : t.getCause(), depth++) {
            T answer = test.apply(t);
            if (answer != null) {
                return answer;
            }
        }
        return null;
    }

    private static boolean matches(List<Class<? extends Exception>> types, Throwable t) {
        for (Class<? extends Exception> type : types) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
