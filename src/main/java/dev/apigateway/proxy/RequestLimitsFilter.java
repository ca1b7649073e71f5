package dev.apigateway.proxy;

import dev.apigateway.error.GatewayError;
import dev.apigateway.error.GatewayException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.net.SocketTimeoutException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A total deadline per request ({@code REQUEST_DEADLINE_SECONDS}) and a minimum request-body rate
 * ({@code REQUEST_BODY_MIN_BYTES_PER_SECOND}, after a {@link #GRACE} of five seconds), so that neither a slow upload
 * nor a slow-drip upstream holds a request thread for long. Tomcat bounds each single read and write
 * ({@code server.tomcat.connection-timeout}); this bounds their sum, checked at every read of the body and every
 * write of the answer, and, for the upstream's side, by a timer that cancels the upstream call when the deadline
 * passes ({@link RequestDeadline}: a dripping head or body, an upload the upstream stopped reading):
 * <ul>
 *   <li>a body arriving too slowly, too late, or stalling past Tomcat's read timeout is answered
 *   {@code 408 request_timeout} (not a 504, and not an upstream failure for the breaker);</li>
 *   <li>an answer still streaming at the deadline is cut: the connection is closed without the end of the body,
 *   so the client can tell it from a whole one.</li>
 * </ul>
 */
public class RequestLimitsFilter extends OncePerRequestFilter {

    static final long GRACE = java.time.Duration.ofSeconds(5).toNanos();

    private final RequestDeadlines deadlines;
    private final long deadlineNanos;
    private final long deadlineSeconds;
    private final long minBytesPerSecond;

    public RequestLimitsFilter(RequestDeadlines deadlines, long minBytesPerSecond) {
        this.deadlines = deadlines;
        this.deadlineNanos = deadlines.deadlineNanos();
        this.deadlineSeconds = deadlines.deadlineSeconds();
        this.minBytesPerSecond = minBytesPerSecond;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long start = System.nanoTime();
        RequestDeadline deadline = deadlines.start(start);
        Response answer = new Response(response, start, deadline);
        deadline.enter();
        try {
            chain.doFilter(new Request(request, start, deadline), answer);
        } finally {
            deadline.exit();
        }
        if (answer.out != null && answer.out.cut && response.isCommitted()) {
            // Thrown to Tomcat, which then closes the connection at once (no last chunk): the client sees a cut
            // answer, never a short one that looks whole.
            throw new IOException("request deadline of " + deadlineSeconds + " s passed while answering");
        }
    }

    private final class Request extends HttpServletRequestWrapper {
        private final long start;
        private final RequestDeadline deadline;
        private ServletInputStream in;

        Request(HttpServletRequest request, long start, RequestDeadline deadline) {
            super(request);
            this.start = start;
            this.deadline = deadline;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (in == null) {
                in = new Body(super.getInputStream(), start, deadline);
            }
            return in;
        }
    }

    private final class Body extends ServletInputStream {
        private final ServletInputStream in;
        private final long start;
        private final RequestDeadline deadline;
        private long received;

        Body(ServletInputStream in, long start, RequestDeadline deadline) {
            this.in = in;
            this.start = start;
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            check();
            deadline.readingClient(true);
            try {
                int b = in.read();
                received += b >= 0 ? 1 : 0;
                return b;
            } catch (SocketTimeoutException e) {
                throw stalled();
            } finally {
                deadline.readingClient(false);
            }
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            check();
            deadline.readingClient(true);
            try {
                int n = in.read(buf, off, len);
                received += Math.max(0, n);
                return n;
            } catch (SocketTimeoutException e) {
                throw stalled();
            } finally {
                deadline.readingClient(false);
            }
        }

        private void check() throws UpstreamDeadlineException {
            if (deadline.upstreamsFault()) {
                // the deadline passed while the thread was writing to the upstream (an upload it stopped reading):
                // the upstream's timeout, as if the write itself had failed
                throw deadline.exception(null);
            }
            long elapsed = System.nanoTime() - start;
            if (elapsed > deadlineNanos) {
                throw new GatewayException(GatewayError.REQUEST_TIMEOUT, "the request took longer than " + deadlineSeconds + " s");
            }
            if (minBytesPerSecond > 0 && elapsed > GRACE
                    && received < minBytesPerSecond * ((elapsed - GRACE) / 1_000_000_000.0)) {
                throw new GatewayException(GatewayError.REQUEST_TIMEOUT, "the request body arrives slower than " + minBytesPerSecond
                        + " bytes per second");
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }

    /** Tomcat's read timeout on the body is the client's fault, not the upstream's (which a 504 would say). */
    private static GatewayException stalled() {
        return new GatewayException(GatewayError.REQUEST_TIMEOUT, "the request body stalled");
    }

    private final class Response extends HttpServletResponseWrapper {
        private final long start;
        private final RequestDeadline deadline;
        private Answer out;

        Response(HttpServletResponse response, long start, RequestDeadline deadline) {
            super(response);
            this.start = start;
            this.deadline = deadline;
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (out == null) {
                out = new Answer(super.getOutputStream(), start, this::isCommitted, deadline);
            }
            return out;
        }
    }

    private final class Answer extends ServletOutputStream {
        private final ServletOutputStream out;
        private final long start;
        private boolean cut;

        private final java.util.function.BooleanSupplier committed;
        private final RequestDeadline deadline;

        Answer(ServletOutputStream out, long start, java.util.function.BooleanSupplier committed,
               RequestDeadline deadline) {
            this.out = out;
            this.start = start;
            this.committed = committed;
            this.deadline = deadline;
        }

        /** An answer not started yet (the gateway's own 408, say) is still written; one streaming is cut. */
        private void check() throws IOException {
            if (System.nanoTime() - start > deadlineNanos && committed.getAsBoolean()) {
                cut = true;
                deadline.expire(); // before the timer does: the upstream call ends with the answer
                throw new IOException("request deadline of " + deadlineSeconds + " s passed while answering");
            }
        }

        @Override
        public void write(int b) throws IOException {
            check();
            out.write(b);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            check();
            out.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
        }
    }
}
