package dev.apigateway.bench.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import java.net.URI;
import java.util.Map;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.vertx.http.VertxHttpHeaderFilterStrategy;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.util.CollectionHelper;

/**
 * Variant {@code SPIKE_UPSTREAM=client}: the upstream call on Vert.x's core {@link HttpClient} instead of
 * camel-vertx-http, which (4.17) buffers the whole answer in a {@code Buffer} and handles it on the Vert.x worker pool
 * ({@code executeBlocking}). Here the request body (the paused server request) is piped to the upstream, the answer's
 * status and headers become the Camel message and its body stays the paused upstream response, which the consumer
 * pipes to the client ({@code UpstreamStreams}): both directions stream, and every step runs on the request's loop.
 */
final class VertxClientUpstream extends AsyncProcessorSupport {

    private final HttpClient client;
    private final String host;
    private final int port;
    private final String basePath;
    private final long timeoutMillis;
    private final HeaderFilterStrategy headers = new VertxHttpHeaderFilterStrategy();

    VertxClientUpstream(Vertx vertx, URI upstream, int maxConnections, int connectTimeoutMillis, long timeoutMillis) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                .setConnectTimeout(connectTimeoutMillis), new PoolOptions().setHttp1MaxSize(maxConnections));
        this.host = upstream.getHost();
        this.port = upstream.getPort() < 0 ? 80 : upstream.getPort();
        String path = upstream.getRawPath();
        this.basePath = path == null || path.equals("/") ? "" : path;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Message in = exchange.getMessage();
        String query = in.getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        String uri = basePath + in.getHeader(Exchange.HTTP_PATH, String.class)
                + (query == null || query.isEmpty() ? "" : "?" + query);
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.valueOf(in.getHeader(Exchange.HTTP_METHOD,
                String.class))).setHost(host).setPort(port).setURI(uri).setIdleTimeout(timeoutMillis);
        for (Map.Entry<String, Object> header : in.getHeaders().entrySet()) {
            Object value = header.getValue();
            if (value != null && !headers.applyFilterToCamelHeaders(header.getKey(), value, exchange)) {
                if (value instanceof Iterable<?> values) {
                    values.forEach(v -> request.addHeader(header.getKey(), String.valueOf(v)));
                } else {
                    request.addHeader(header.getKey(), value.toString());
                }
            }
        }
        Object body = in.getBody();
        // the filter drops Content-Length; without it Vert.x would send a streamed body chunked
        String length = in.getHeader("Content-Length", String.class);
        if (length != null && body instanceof ReadStream<?>) {
            request.putHeader("Content-Length", length);
        }
        client.request(request)
                .compose(call -> body instanceof ReadStream<?> stream ? call.send((ReadStream<Buffer>) stream) : call.send())
                .onComplete(answer -> {
                    if (answer.failed()) {
                        exchange.setException(answer.cause());
                    } else {
                        HttpClientResponse response = answer.result();
                        response.pause();
                        Map<String, Object> out = in.getHeaders();
                        out.clear();
                        out.put(Exchange.HTTP_RESPONSE_CODE, response.statusCode());
                        response.headers().forEach(h -> {
                            if (!headers.applyFilterToExternalHeaders(h.getKey(), h.getValue(), exchange)) {
                                CollectionHelper.appendEntry(out, h.getKey(), h.getValue());
                            }
                        });
                        in.setBody(response);
                    }
                    callback.done(false);
                });
        return false;
    }
}
