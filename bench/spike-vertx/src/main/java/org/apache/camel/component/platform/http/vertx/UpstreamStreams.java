package org.apache.camel.component.platform.http.vertx;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * Writes an answer whose Camel body is the upstream's paused {@link HttpClientResponse} (variant
 * {@code SPIKE_UPSTREAM=client}): status and headers as the stock consumer writes them, then the body chunk by chunk
 * with back-pressure, never held whole. The upstream's {@code Content-Length} is kept (the stock writer would switch
 * to chunked for a body of unknown length). A client gone mid-answer aborts the upstream call; Vert.x's own
 * {@code pipeTo} would keep writing the chunks already read to the closed response and throw.
 */
public final class UpstreamStreams {

    private UpstreamStreams() {
    }

    public static boolean isStream(Object body) {
        return body instanceof HttpClientResponse;
    }

    static Future<Void> write(RoutingContext ctx, Exchange exchange, HeaderFilterStrategy headers) {
        HttpClientResponse upstream = (HttpClientResponse) exchange.getMessage().getBody();
        HttpServerResponse response = ctx.response();
        VertxPlatformHttpSupport.toHttpResponse(ctx, exchange.getMessage(), headers, false);
        String length = upstream.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            response.setChunked(false);
            response.putHeader(HttpHeaders.CONTENT_LENGTH, length);
        }
        Promise<Void> done = Promise.promise();
        response.closeHandler(v -> {
            upstream.request().reset();
            done.tryFail("the client closed the connection");
        });
        upstream.exceptionHandler(done::tryFail);
        upstream.handler(chunk -> {
            if (!response.closed()) {
                response.write(chunk);
                if (response.writeQueueFull()) {
                    upstream.pause();
                    response.drainHandler(v -> upstream.resume());
                }
            }
        });
        upstream.endHandler(v -> {
            if (response.closed()) {
                done.tryComplete();
            } else {
                response.end().onComplete(done);
            }
        });
        upstream.resume();
        return done.future();
    }
}
