package dev.apigateway.tracing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver on loopback, as a collector is to the gateway: {@code POST /v1/traces} with an
 * {@code ExportTraceServiceRequest} in protobuf, decoded here field by field (the opentelemetry-proto field
 * numbers) into {@link ReceivedSpan}s.
 */
final class OtlpReceiver implements AutoCloseable {

    /** One span as it arrived; ids in lower-case hex, attribute values as text. */
    record ReceivedSpan(String serviceName, String traceId, String spanId, String parentSpanId, String traceState,
                        String name, int kind, Map<String, String> attributes, List<String> events, int statusCode) {

        static final int SERVER = 2;
        static final int CLIENT = 3;
        static final int STATUS_ERROR = 2;

        String attribute(String key) {
            return attributes.get(key);
        }
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<RuntimeException> failures = new CopyOnWriteArrayList<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                InputStream in = exchange.getRequestBody();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    in = new GZIPInputStream(in);
                }
                byte[] body = in.readAllBytes();
                try {
                    decodeRequest(body);
                } catch (RuntimeException e) {
                    failures.add(e);
                    exchange.sendResponseHeaders(400, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: all accepted
            }
        });
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}: the OTLP base URL ({@code OTEL_EXPORTER_OTLP_ENDPOINT}). */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** Export requests this receiver could not decode (a test failing on spans shows them). */
    List<RuntimeException> failures() {
        return List.copyOf(failures);
    }

    List<ReceivedSpan> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void decodeRequest(byte[] body) {
        Proto request = new Proto(body);
        while (request.more()) {
            int field = request.field();
            if (field == 1) {
                decodeResourceSpans(request.message());
            } else {
                request.skip();
            }
        }
    }

    private void decodeResourceSpans(Proto resourceSpans) {
        String service = null;
        List<Proto> scopes = new ArrayList<>();
        while (resourceSpans.more()) {
            int field = resourceSpans.field();
            if (field == 1) {
                Proto resource = resourceSpans.message();
                Map<String, String> attributes = new LinkedHashMap<>();
                while (resource.more()) {
                    if (resource.field() == 1) {
                        keyValue(resource.message(), attributes);
                    } else {
                        resource.skip();
                    }
                }
                service = attributes.get("service.name");
            } else if (field == 2) {
                scopes.add(resourceSpans.message());
            } else {
                resourceSpans.skip();
            }
        }
        for (Proto scope : scopes) {
            while (scope.more()) {
                if (scope.field() == 2) {
                    spans.add(span(service, scope.message()));
                } else {
                    scope.skip();
                }
            }
        }
    }

    private static ReceivedSpan span(String service, Proto span) {
        String traceId = null;
        String spanId = null;
        String parent = "";
        String traceState = "";
        String name = null;
        int kind = 0;
        int status = 0;
        Map<String, String> attributes = new LinkedHashMap<>();
        List<String> events = new ArrayList<>();
        while (span.more()) {
            switch (span.field()) {
                case 1 -> traceId = HexFormat.of().formatHex(span.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(span.bytes());
                case 3 -> traceState = span.string();
                case 4 -> parent = HexFormat.of().formatHex(span.bytes());
                case 5 -> name = span.string();
                case 6 -> kind = (int) span.varint();
                case 9 -> keyValue(span.message(), attributes);
                case 11 -> {
                    Proto event = span.message();
                    while (event.more()) {
                        if (event.field() == 2) {
                            events.add(event.string());
                        } else {
                            event.skip();
                        }
                    }
                }
                case 15 -> {
                    Proto s = span.message();
                    while (s.more()) {
                        if (s.field() == 3) {
                            status = (int) s.varint();
                        } else {
                            s.skip();
                        }
                    }
                }
                default -> span.skip();
            }
        }
        return new ReceivedSpan(service, traceId, spanId, parent, traceState, name, kind, attributes, events, status);
    }

    private static void keyValue(Proto kv, Map<String, String> into) {
        String key = null;
        String value = null;
        while (kv.more()) {
            int field = kv.field();
            if (field == 1) {
                key = kv.string();
            } else if (field == 2) {
                Proto any = kv.message();
                while (any.more()) {
                    switch (any.field()) {
                        case 1 -> value = any.string();
                        case 2 -> value = Boolean.toString(any.varint() != 0);
                        case 3 -> value = Long.toString(any.varint());
                        case 4 -> value = Double.toString(Double.longBitsToDouble(any.fixed64()));
                        default -> any.skip();
                    }
                }
            } else {
                kv.skip();
            }
        }
        if (key != null) {
            into.put(key, value);
        }
    }

    /** The protobuf wire format, reading only: varints, fixed 64/32 bits, length-delimited fields. */
    private static final class Proto {
        private final byte[] buffer;
        private int position;
        private final int end;
        private int wireType;

        Proto(byte[] buffer) {
            this(buffer, 0, buffer.length);
        }

        private Proto(byte[] buffer, int start, int end) {
            this.buffer = buffer;
            this.position = start;
            this.end = end;
        }

        boolean more() {
            return position < end;
        }

        int field() {
            long tag = varint();
            wireType = (int) (tag & 7);
            return (int) (tag >>> 3);
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buffer[position++];
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("malformed varint");
        }

        long fixed64() {
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value |= (buffer[position++] & 0xffL) << (8 * i);
            }
            return value;
        }

        byte[] bytes() {
            int length = (int) varint();
            byte[] out = java.util.Arrays.copyOfRange(buffer, position, position + length);
            position += length;
            return out;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Proto message() {
            int length = (int) varint();
            Proto nested = new Proto(buffer, position, position + length);
            position += length;
            return nested;
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> position += 8;
                case 2 -> {
                    int length = (int) varint(); // read first: "position += varint()" would add to the old position
                    position += length;
                }
                case 5 -> position += 4;
                default -> throw new IllegalStateException("unsupported wire type " + wireType);
            }
        }
    }
}
