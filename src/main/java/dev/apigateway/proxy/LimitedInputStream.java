package dev.apigateway.proxy;

import dev.apigateway.error.GatewayException;
import dev.apigateway.error.PayloadTooLargeException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Streams a request body through, and fails the read that would go past the limit. A read that fails (the client
 * closed the connection, or broke the chunked coding of its body) is the client's fault: it becomes a
 * {@code 400 bad_request}, never a failure of the upstream call that was streaming the body, which the breaker
 * would count and the error handler would not know (a 500).
 */
final class LimitedInputStream extends FilterInputStream {

    private final long limit;
    private long count;

    LimitedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b;
        try {
            b = super.read();
        } catch (IOException e) {
            throw clientFailed(e);
        }
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n;
        try {
            n = super.read(buf, off, len);
        } catch (IOException e) {
            throw clientFailed(e);
        }
        if (n > 0) {
            count(n);
        }
        return n;
    }

    /** What a failed read of the client's body becomes: the client's {@code 400}, or the deadline's own failure. */
    private static IOException clientFailed(IOException e) {
        if (e instanceof UpstreamDeadlineException) {
            return e; // the request deadline passed while the upstream held the request (RequestLimitsFilter)
        }
        throw GatewayException.badRequest("the request body could not be read to its end: "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }

    private void count(int n) throws IOException {
        count += n;
        if (count > limit) {
            throw new PayloadTooLargeException(limit);
        }
    }
}
