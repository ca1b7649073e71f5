package dev.apigateway.upstream;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Every endpoint of the upstream. Routing is on the raw (still encoded) path.
 * The request body is always read to its end first (streaming, hashed as it is read),
 * recorded, and only then answered, so a client that got its answer can rely on
 * the request being in {@link RequestRecorder}.
 */
final class UpstreamHandler implements HttpHandler {

    static final long MAX_DELAY_MS = 60_000;
    static final long MAX_BYTES = 1L << 30; // 1 GiB
    static final long MAX_DRIP_CHUNKS = 10_000;
    private static final int BYTES_MODULUS = 251;
    /** A multiple of 251, so every chunk starts at pattern offset 0. */
    private static final byte[] PATTERN = new byte[BYTES_MODULUS * 256];
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    private static final String JSON = "application/json";
    static final String RECEIVED_TRACEPARENT = "X-Received-Traceparent";
    static final String RECEIVED_TRACESTATE = "X-Received-Tracestate";

    static {
        for (int i = 0; i < PATTERN.length; i++) {
            PATTERN[i] = (byte) (i % BYTES_MODULUS);
        }
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(UpstreamHandler::sha256);
    private static final ThreadLocal<byte[]> READ_BUFFER = ThreadLocal.withInitial(() -> new byte[16 * 1024]);

    private final RequestRecorder recorder;

    UpstreamHandler(RequestRecorder recorder) {
        this.recorder = recorder;
    }

    /** The byte at offset {@code i} of every {@code /bytes/{n}} answer. */
    static byte byteAt(long i) {
        return (byte) (i % BYTES_MODULUS);
    }

    @Override
    public void handle(HttpExchange ex) {
        try {
            RecordedRequest req = readAndRecord(ex);
            echoTraceContext(ex, req);
            route(ex, req);
        } catch (BadRequest e) {
            trySend(ex, 400, Json.error("bad_request", e.getMessage()));
        } catch (IOException e) {
            // client went away or sent a broken body: nothing to answer
        } catch (RuntimeException e) {
            trySend(ex, 500, Json.error("internal", String.valueOf(e)));
        } finally {
            ex.close();
        }
    }

    private RecordedRequest readAndRecord(HttpExchange ex) throws IOException {
        MessageDigest sha = SHA256.get(); // digest() below resets it for the next request on this thread
        sha.reset();
        long length = 0;
        IOException failure = null;
        byte[] buf = READ_BUFFER.get();
        try (InputStream in = ex.getRequestBody()) {
            int n;
            while ((n = in.read(buf)) != -1) {
                sha.update(buf, 0, n);
                length += n;
            }
        } catch (IOException e) {
            failure = e;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
            headers.put(h.getKey(), h.getValue());
        }
        String rawPath = ex.getRequestURI().getRawPath();
        RecordedRequest req = new RecordedRequest(
                ex.getRequestMethod(),
                rawPath == null || rawPath.isEmpty() ? "/" : rawPath,
                ex.getRequestURI().getRawQuery(),
                headers,
                length,
                HexFormat.of().formatHex(sha.digest()));
        recorder.record(req); // a partly received body is recorded too: it did reach the upstream
        if (failure != null) {
            throw failure;
        }
        return req;
    }

    /**
     * The W3C trace context that reached this upstream, on every answer: {@code X-Received-Traceparent} and
     * {@code X-Received-Tracestate} (only when the request had them), so a client (or a test) sees what its proxy
     * sent on, whatever the endpoint.
     */
    private static void echoTraceContext(HttpExchange ex, RecordedRequest req) {
        List<String> traceparent = req.headerValues("traceparent");
        if (!traceparent.isEmpty()) {
            ex.getResponseHeaders().set(RECEIVED_TRACEPARENT, String.join(",", traceparent));
        }
        List<String> tracestate = req.headerValues("tracestate");
        if (!tracestate.isEmpty()) {
            ex.getResponseHeaders().set(RECEIVED_TRACESTATE, String.join(",", tracestate));
        }
    }

    private void route(HttpExchange ex, RecordedRequest req) throws IOException {
        String path = req.rawPath();
        if (path.equals("/ok")) {
            send(ex, 200, "{\"status\":\"ok\"}");
        } else if (path.equals("/health")) {
            send(ex, 200, "{\"status\":\"UP\"}");
        } else if (path.equals("/echo") || path.startsWith("/echo/")) {
            echo(ex, req);
        } else if (path.startsWith("/status/")) {
            status(ex, req, path.substring("/status/".length()));
        } else if (path.startsWith("/delay/")) {
            delay(ex, path.substring("/delay/".length()));
        } else if (path.equals("/flaky")) {
            flaky(ex, req);
        } else if (path.startsWith("/bytes/")) {
            bytes(ex, path.substring("/bytes/".length()));
        } else if (path.equals("/drip")) {
            drip(ex, req);
        } else if (path.equals("/close")) {
            // no answer at all: the JDK server closes the connection when an exchange is
            // closed before its head was sent (the finally block in handle does that)
            return;
        } else if (path.equals("/redirect")) {
            redirect(ex, req);
        } else if (path.equals("/cookies/set")) {
            setCookies(ex, req);
        } else if (path.equals("/cookies")) {
            cookies(ex, req);
        } else {
            send(ex, 404, Json.error("not_found", "no such endpoint: " + path));
        }
    }

    private void echo(HttpExchange ex, RecordedRequest req) throws IOException {
        String body = "{\"method\":" + Json.quote(req.method())
                + ",\"path\":" + Json.quote(req.rawPath())
                + ",\"query\":" + Json.quote(req.rawQuery())
                + ",\"headers\":" + Json.multiMap(req.headers())
                + ",\"bodyLength\":" + req.bodyLength()
                + ",\"bodySha256\":" + Json.quote(req.bodySha256())
                + "}";
        send(ex, 200, body);
    }

    private void status(HttpExchange ex, RecordedRequest req, String codeText) throws IOException {
        long code = parseNonNegative(codeText, "status code");
        if (code < 100 || code > 599) {
            throw new BadRequest("status code must be 100-599, got " + codeText);
        }
        Headers out = ex.getResponseHeaders();
        for (String spec : queryParams(req.rawQuery()).getOrDefault("header", List.of())) {
            int colon = spec.indexOf(':');
            if (colon <= 0) {
                throw new BadRequest("header must be Name:Value, got " + spec);
            }
            String name = spec.substring(0, colon).trim();
            String value = spec.substring(colon + 1).strip();
            checkHeader(name, value);
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-length") || lower.equals("transfer-encoding")) {
                throw new BadRequest(name + " is set by the JDK HTTP server itself and cannot be overridden");
            }
            out.add(name, value);
        }
        int c = (int) code;
        if (c < 200) {
            // An interim answer alone is not a full response: close the connection after it so a
            // client (or gateway) waiting for the final answer sees the end instead of hanging.
            out.set("Connection", "close");
        }
        send(ex, c, "{\"status\":" + c + "}");
    }

    private void delay(HttpExchange ex, String msText) throws IOException {
        long ms = Math.min(parseNonNegative(msText, "delay"), MAX_DELAY_MS);
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // shutting down
        }
        send(ex, 200, "{\"status\":\"ok\",\"delayedMs\":" + ms + "}");
    }

    private void flaky(HttpExchange ex, RecordedRequest req) throws IOException {
        List<String> values = queryParams(req.rawQuery()).getOrDefault("failRate", List.of());
        double failRate = 0.5;
        if (!values.isEmpty()) {
            try {
                failRate = Double.parseDouble(values.get(0).trim());
            } catch (NumberFormatException e) {
                throw new BadRequest("failRate must be a number from 0 to 1, got " + values.get(0));
            }
            if (!(failRate >= 0.0 && failRate <= 1.0)) {
                throw new BadRequest("failRate must be a number from 0 to 1, got " + values.get(0));
            }
        }
        boolean fail = ThreadLocalRandom.current().nextDouble() < failRate;
        int code = fail ? 500 : 200;
        send(ex, code, "{\"status\":" + code + ",\"failRate\":" + failRate + "}");
    }

    private void bytes(HttpExchange ex, String nText) throws IOException {
        long n = parseNonNegative(nText, "byte count");
        if (n > MAX_BYTES) {
            throw new BadRequest("byte count is capped at " + MAX_BYTES + ", got " + nText);
        }
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        if (isHead(ex) || n == 0) {
            headWithLength(ex, 200, n);
            return;
        }
        ex.sendResponseHeaders(200, n);
        OutputStream out = ex.getResponseBody();
        long left = n;
        while (left > 0) {
            int chunk = (int) Math.min(left, PATTERN.length);
            out.write(PATTERN, 0, chunk);
            left -= chunk;
        }
        out.flush();
    }

    private void drip(HttpExchange ex, RecordedRequest req) throws IOException {
        Map<String, List<String>> q = queryParams(req.rawQuery());
        long chunks = parseNonNegative(first(q, "chunks", "5"), "chunks");
        long chunkBytes = parseNonNegative(first(q, "chunkBytes", "16"), "chunkBytes");
        long intervalMs = parseNonNegative(first(q, "intervalMs", "100"), "intervalMs");
        if (chunks < 1 || chunks > MAX_DRIP_CHUNKS) {
            throw new BadRequest("chunks must be 1-" + MAX_DRIP_CHUNKS);
        }
        if (chunkBytes < 1 || chunkBytes > PATTERN.length) {
            throw new BadRequest("chunkBytes must be 1-" + PATTERN.length);
        }
        if (intervalMs > MAX_DELAY_MS || (chunks - 1) * intervalMs > MAX_DELAY_MS) {
            throw new BadRequest("the whole drip may last at most " + MAX_DELAY_MS + " ms");
        }
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        if (isHead(ex)) {
            headWithLength(ex, 200, chunks * chunkBytes);
            return;
        }
        ex.sendResponseHeaders(200, 0); // chunked: no Content-Length
        OutputStream out = ex.getResponseBody();
        byte[] chunk = new byte[(int) chunkBytes];
        long offset = 0;
        for (long c = 0; c < chunks; c++) {
            if (c > 0 && intervalMs > 0) {
                try {
                    Thread.sleep(intervalMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return; // shutting down
                }
            }
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = byteAt(offset + i);
            }
            offset += chunk.length;
            out.write(chunk);
            out.flush();
        }
        out.close();
    }

    private void redirect(HttpExchange ex, RecordedRequest req) throws IOException {
        Map<String, List<String>> q = queryParams(req.rawQuery());
        String to = first(q, "to", "/ok");
        checkHeader("Location", to);
        int code = 302;
        String statusText = first(q, "status", null);
        if (statusText != null) {
            code = (int) Math.min(parseNonNegative(statusText, "redirect status"), 999);
            if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
                throw new BadRequest("redirect status must be 301, 302, 303, 307 or 308, got " + statusText);
            }
        }
        ex.getResponseHeaders().set("Location", to);
        send(ex, code, "{\"status\":" + code + ",\"location\":" + Json.quote(to) + "}");
    }

    private void setCookies(HttpExchange ex, RecordedRequest req) throws IOException {
        Map<String, String> set = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : queryParams(req.rawQuery()).entrySet()) {
            String name = e.getKey();
            if (!TOKEN.matcher(name).matches()) {
                throw new BadRequest("bad cookie name: " + name);
            }
            for (String value : e.getValue()) {
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c <= 0x20 || c >= 0x7f || c == ';' || c == ',' || c == '"' || c == '\\') {
                        throw new BadRequest("bad cookie value for " + name);
                    }
                }
                ex.getResponseHeaders().add("Set-Cookie", name + "=" + value + "; Path=/");
                set.put(name, value);
            }
        }
        send(ex, 200, "{\"set\":" + Json.stringMap(set) + "}");
    }

    private void cookies(HttpExchange ex, RecordedRequest req) throws IOException {
        List<String> lines = req.headerValues("cookie");
        String cookie = lines.isEmpty() ? null : String.join("; ", lines);
        Map<String, String> parsed = new LinkedHashMap<>();
        if (cookie != null) {
            for (String pair : cookie.split(";")) {
                String p = pair.trim();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                parsed.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? "" : p.substring(eq + 1));
            }
        }
        send(ex, 200, "{\"cookie\":" + Json.quote(cookie) + ",\"cookies\":" + Json.stringMap(parsed) + "}");
    }

    // ---------------------------------------------------------------- helpers

    private static boolean isHead(HttpExchange ex) {
        return "HEAD".equalsIgnoreCase(ex.getRequestMethod());
    }

    /** Answers with a JSON body, or with none where HTTP forbids one (1xx, 204, 205, 304, HEAD). */
    private static void send(HttpExchange ex, int code, String json) throws IOException {
        boolean noBody = code < 200 || code == 204 || code == 205 || code == 304;
        if (noBody) {
            ex.sendResponseHeaders(code, -1);
            return;
        }
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        if (!ex.getResponseHeaders().containsKey("Content-Type")) {
            ex.getResponseHeaders().set("Content-Type", JSON);
        }
        if (isHead(ex)) {
            headWithLength(ex, code, body.length);
            return;
        }
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * Head only, announcing the length a GET would have had. For HEAD the JDK server neither writes
     * Content-Length itself nor removes one set by the handler (for other methods it overwrites it).
     */
    private static void headWithLength(HttpExchange ex, int code, long length) throws IOException {
        ex.getResponseHeaders().set("Content-Length", Long.toString(length));
        ex.sendResponseHeaders(code, -1);
    }

    private static void trySend(HttpExchange ex, int code, String json) {
        if (ex.getResponseCode() != -1) {
            return; // head already sent: the best we can do is close
        }
        try {
            ex.getResponseHeaders().clear();
            send(ex, code, json);
        } catch (IOException | RuntimeException ignored) {
            // client gone
        }
    }

    /** Digits only; a number too long for a long is returned as {@link Long#MAX_VALUE} (callers cap or refuse). */
    private static long parseNonNegative(String text, String what) {
        if (text.isEmpty() || text.length() > 40) {
            throw new BadRequest(what + " must be a non-negative integer, got '" + text + "'");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new BadRequest(what + " must be a non-negative integer, got '" + text + "'");
            }
        }
        String digits = text.replaceFirst("^0+(?=.)", "");
        return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    private static void checkHeader(String name, String value) {
        if (!TOKEN.matcher(name).matches()) {
            throw new BadRequest("bad header name: '" + name + "'");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                throw new BadRequest("bad character in the value of " + name);
            }
        }
    }

    /** Decoded query parameters, in order, repeated names kept. */
    static Map<String, List<String>> queryParams(String rawQuery) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = decode(eq < 0 ? part : part.substring(0, eq));
            String value = eq < 0 ? "" : decode(part.substring(eq + 1));
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    private static String first(Map<String, List<String>> params, String name, String fallback) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("bad percent-encoding in query: " + s);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
