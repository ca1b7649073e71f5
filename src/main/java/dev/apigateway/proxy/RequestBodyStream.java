package dev.apigateway.proxy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The client's request body on its way to the upstream, which knows whether any of it was read: a body not yet read
 * may still go to another target, one already (partly) sent may not, as it is not kept.
 */
public final class RequestBodyStream extends FilterInputStream {

    private volatile boolean started;

    RequestBodyStream(InputStream in) {
        super(in);
    }

    /**
     * Whether any of the body was consumed: from then on it is (partly) gone. A read that found the end at once
     * consumed nothing (an empty body can be sent again as it is).
     */
    public boolean started() {
        return started;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            started = true;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            started = true;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        if (skipped > 0) {
            started = true;
        }
        return skipped;
    }
}
