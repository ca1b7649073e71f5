package dev.apigateway.proxy;

import dev.apigateway.error.ErrorAnswer;
import dev.apigateway.error.GatewayError;
import dev.apigateway.observability.ContextAwareEventBuilder;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a route's answer to the client: status, the headers the filter lets through, and the body, an upstream
 * body streamed through one reusable buffer and flushed whenever the upstream has nothing more ready (so a slow
 * stream reaches the client as it comes). Replaces Camel's {@code SpringBootPlatformHttpBinding.writeResponse} on
 * the hot path: no type converter, no per-request reflection or formatting, no copy into a cache.
 *
 * <p>When reading the upstream's body fails: before anything was sent, the client gets the contract's 502 (or 504
 * for a read timeout) instead; after the head was sent, the answer is aborted, never finished: the request is
 * marked with {@link #ABORTED_ATTRIBUTE} and the Tomcat valve closes the connection without the terminating chunk
 * (Camel's binding closed the stream, which finished the chunked answer, and the client got a short body it could
 * not tell from a whole one).
 */
public final class ClientAnswerWriter {

    /** Request attribute: the upstream failure that cut the answer short; the connection must be closed unfinished. */
    public static final String ABORTED_ATTRIBUTE = "dev.apigateway.answerAborted";

    private static final Logger EVENTS = LoggerFactory.getLogger("dev.apigateway.events");
    private static final int BUFFER_SIZE = 16 * 1024;
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[BUFFER_SIZE]);

    private final HeaderFilterStrategy filter;

    public ClientAnswerWriter(HeaderFilterStrategy filter) {
        this.filter = filter;
    }

    public void write(Exchange exchange, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        // Camel's producer gunzips an upstream gzip body unless told not to: it goes back compressed, and the
        // upstream's Content-Length no longer applies
        boolean regzip = body instanceof GZIPInputStream;
        response.setStatus(status(message.getHeader(Exchange.HTTP_RESPONSE_CODE)));
        for (Map.Entry<String, Object> header : message.getHeaders().entrySet()) {
            Object value = header.getValue();
            String name = header.getKey();
            if (value == null || (regzip && "Content-Length".equalsIgnoreCase(name))) {
                continue;
            }
            if (value instanceof List<?> values) {
                for (Object v : values) {
                    addHeader(response, name, v, exchange);
                }
            } else {
                addHeader(response, name, value, exchange);
            }
        }
        if (body == null) {
            return;
        }
        if (body instanceof byte[] bytes) {
            writeWhole(response, bytes);
        } else if (body instanceof InputStream in) {
            stream(exchange, request, response, in, regzip);
        } else if (body instanceof String text) {
            writeWhole(response, text.getBytes(charset(response.getContentType())));
        } else {
            // a body a route made of its own (rare): Camel's converters make it bytes
            byte[] bytes = exchange.getContext().getTypeConverter().convertTo(byte[].class, exchange, body);
            if (bytes == null) {
                throw new IllegalStateException("route " + exchange.getFromRouteId() + " answered with a "
                        + body.getClass().getName() + " body, which has no bytes");
            }
            writeWhole(response, bytes);
        }
    }

    private void addHeader(HttpServletResponse response, String name, Object value, Exchange exchange) {
        if (value == null) {
            return;
        }
        String text = value instanceof String s ? s : value.toString();
        if (!filter.applyFilterToCamelHeaders(name, text, exchange)) {
            response.addHeader(name, text);
        }
    }

    private static void writeWhole(HttpServletResponse response, byte[] bytes) throws IOException {
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static void stream(Exchange exchange, HttpServletRequest request, HttpServletResponse response,
                               InputStream in, boolean regzip) throws IOException {
        byte[] buffer = BUFFER.get();
        ServletOutputStream client = response.getOutputStream();
        OutputStream out = regzip ? new GZIPOutputStream(client, BUFFER_SIZE, true) : client;
        boolean complete = false;
        try {
            while (true) {
                int n;
                boolean more;
                try {
                    n = in.read(buffer);
                    more = n > 0 && in.available() > 0;
                } catch (IOException upstreamFailure) {
                    upstreamFailed(exchange, request, response, RequestDeadline.cutAnswer(exchange, upstreamFailure));
                    return;
                }
                if (n < 0) {
                    break;
                }
                if (!writeToClient(out, buffer, n, more)) {
                    RequestDeadline.cutAnswer(exchange, null); // counted when it was the deadline
                    return;
                }
            }
            if (regzip) {
                ((GZIPOutputStream) out).finish();
            }
            complete = true;
        } finally {
            release(in, complete);
        }
    }

    /** False when the client is gone: Tomcat has marked the connection broken already, there is nothing to finish. */
    private static boolean writeToClient(OutputStream out, byte[] buffer, int n, boolean more) {
        try {
            out.write(buffer, 0, n);
            if (!more) {
                out.flush();
            }
            return true;
        } catch (IOException clientGone) {
            return false;
        }
    }

    private static void upstreamFailed(Exchange exchange, HttpServletRequest request, HttpServletResponse response,
                                       IOException failure) throws IOException {
        String requestId = GatewayExchange.requestId(exchange);
        ContextAwareEventBuilder.of(EVENTS.atWarn()).addKeyValue("event", "upstream_body_failed")
                .addKeyValue("route", exchange.getFromRouteId())
                .addKeyValue("client_ip", GatewayExchange.clientIp(exchange))
                .addKeyValue("request_id", requestId)
                .addKeyValue("cause", failure.getClass().getSimpleName())
                .addKeyValue("committed", response.isCommitted())
                .log("Upstream body failed on route {}: {}", exchange.getFromRouteId(), failure.getMessage());
        if (response.isCommitted()) {
            request.setAttribute(ABORTED_ATTRIBUTE, failure);
            return;
        }
        // nothing reached the client yet: it gets the answer it would have had had the upstream failed earlier
        response.reset();
        Map<String, String> extra = exchange.getProperty(GatewayExchange.RESPONSE_HEADERS, Map.class);
        if (extra != null) {
            extra.forEach(response::setHeader);
        }
        GatewayError error = UpstreamFailures.kind(failure) == UpstreamFailures.Kind.TIMEOUT
                ? GatewayError.UPSTREAM_TIMEOUT : GatewayError.UPSTREAM_UNREACHABLE;
        ErrorAnswer.write(response, error, error.defaultMessage(), requestId);
    }

    /**
     * At the end of a whole body the connection goes back to the pool; otherwise it is dropped at once rather than
     * drained (closing HttpClient's stream would read the rest of a body nobody will get, or wait for a dead
     * upstream).
     */
    private static void release(InputStream in, boolean complete) {
        try {
            if (!complete && in instanceof EofSensorInputStream sensor) {
                sensor.abort();
            } else {
                in.close();
            }
        } catch (IOException ignored) {
            // the connection is discarded either way
        }
    }

    private static int status(Object code) {
        if (code == null) {
            return 200;
        }
        if (code instanceof Integer i) {
            return i;
        }
        // a route that set the status itself, as text
        return Integer.parseInt(code.toString().trim());
    }

    /** The charset a text body set by a route is encoded in: the answer's own, else UTF-8 (never the request's). */
    static Charset charset(String contentType) {
        if (contentType != null) {
            int at = contentType.toLowerCase(java.util.Locale.ROOT).indexOf("charset=");
            if (at >= 0) {
                String name = contentType.substring(at + 8).trim();
                int end = name.indexOf(';');
                if (end >= 0) {
                    name = name.substring(0, end).trim();
                }
                name = name.replace("\"", "");
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException unknown) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }
}
