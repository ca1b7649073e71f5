package dev.apigateway.proxy;

import java.io.IOException;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;

/**
 * First in the http producer's HttpClient exec chain: hands the upstream call to the request's
 * {@link RequestDeadline}, which cancels it when the deadline passes, and turns what the cancelled call throws into
 * an {@link UpstreamDeadlineException}.
 *
 * <p>The cancel is HttpClient's own: the request the producer built ({@code HttpUriRequestBase}, a
 * {@code CancellableDependency}) cancels what it depends on at that moment: the pool lease while it waits for a
 * connection, the connection once it has one, so a blocked read of the head, a blocked write of an upload the
 * upstream stopped reading, and later the body the client is being sent all end at once. HttpClient's timeouts
 * bound each single read only: one byte a second resets them forever. The same cancel ends a call whose response
 * head is later than the route's upstream timeout ({@link UpstreamHeadTimeout}).
 */
public final class UpstreamDeadlineInterceptor implements ExecChainHandler {

    /** Its name in the exec chain. */
    public static final String NAME = "gateway-request-deadline";

    /** Puts the interceptor first in the builder's exec chain, and the head timeout's listener on its executor. */
    public static void install(HttpClientBuilder builder) {
        builder.addExecInterceptorFirst(NAME, new UpstreamDeadlineInterceptor());
        builder.setRequestExecutor(new HttpRequestExecutor(HttpRequestExecutor.DEFAULT_WAIT_FOR_CONTINUE, null,
                UpstreamHeadTimeout.LISTENER));
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        RequestDeadline deadline = RequestDeadline.current();
        if (deadline == null) {
            return chain.proceed(request, scope);
        }
        deadline.upstreamCall(cancellable(scope));
        UpstreamHeadTimeout.Clock head = UpstreamHeadTimeout.start(deadline,
                scope.clientContext.getRequestConfigOrDefault().getResponseTimeout(), request);
        ClassicHttpResponse response;
        try {
            response = chain.proceed(request, scope);
        } catch (IOException e) {
            if (deadline.expired()) {
                throw deadline.exception(e);
            }
            if (head != null && head.late()) {
                throw head.exception(e);
            }
            throw e;
        } finally {
            UpstreamHeadTimeout.end(head);
        }
        if (head != null && head.late()) {
            // in, but later than the route's upstream timeout: refused like one that never came
            scope.execRuntime.discardEndpoint();
            throw head.exception(null);
        }
        return response;
    }

    private static Cancellable cancellable(ExecChain.Scope scope) {
        if (scope.originalRequest instanceof Cancellable request) {
            return request;
        }
        if (scope.execRuntime instanceof Cancellable runtime) {
            return runtime;
        }
        return () -> {
            scope.execRuntime.discardEndpoint();
            return true;
        };
    }
}
