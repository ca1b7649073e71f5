package dev.apigateway.error;

import java.io.IOException;

/**
 * A request body grew past {@code MAX_REQUEST_BODY_BYTES} while it streamed. An {@link IOException} because it is
 * raised from inside the body stream the http producer reads; the upstream request is aborted unfinished.
 */
public class PayloadTooLargeException extends IOException {

    private final long limit;

    public PayloadTooLargeException(long limit) {
        super("request body is larger than " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
