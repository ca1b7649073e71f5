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

    /** Whether a read was attempted: from then on the body is (partly) gone. */
    public boolean started() {
        return started;
    }

    @Override
    public int read() throws IOException {
        started = true;
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        started = true;
        return super.read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
        started = true;
        return super.skip(n);
    }

    @Override
    public long transferTo(java.io.OutputStream out) throws IOException {
        started = true;
        return super.transferTo(out);
    }
}
