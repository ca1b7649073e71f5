package dev.apigateway.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Raw HTTP/1.x requests from a seed: methods, request targets with every kind of encoding, header names and values
 * at the edges, bodies and their framing (right, wrong, ambiguous, truncated). Request {@code i} of seed {@code s}
 * depends on {@code s} and {@code i} only, so any one of them can be made again from a failure message.
 */
final class RequestGenerator {

    private static final List<String> CLEAN_METHODS = List.of("GET", "GET", "GET", "POST", "POST", "PUT", "PATCH",
            "DELETE", "HEAD", "OPTIONS");
    private static final List<String> CLEAN_SEGMENTS = List.of("a", "b%20c", "%C3%A9", "%e2%82%ac", "~", "a;b=c",
            "!$&'()*+,=:@", "%41%42", "x.y", "%2Bplus");
    private static final List<String> CLEAN_NAMES = List.of("X-A", "Accept", "User-Agent", "Cookie", "Authorization",
            "Content-Type", "X-Request-Id", "X-Forwarded-For", "Forwarded", "traceparent", "If-None-Match", "Range");
    private static final List<String> CLEAN_VALUES = List.of("1", "a, b", "text/plain", "application/json",
            "*/*", "bytes=0-1", "203.0.113.1", "for=1.2.3.4;proto=https", "x y z", "\"quoted\"", "");
    private static final List<String> METHODS = List.of("GET", "GET", "GET", "POST", "POST", "PUT", "PATCH", "DELETE",
            "HEAD", "OPTIONS", "TRACE", "CONNECT", "get", "FOO", "PRI", "M-SEARCH", "GET\tX", "");
    private static final List<String> BASES = List.of("/proxy/echo", "/proxy/echo", "/proxy/echo", "/proxy/ok",
            "/proxy/status/200", "/proxy/status/204", "/proxy/status/304", "/proxy/status/404", "/proxy/status/500",
            "/proxy/bytes/100", "/proxy/redirect", "/proxy", "/proxy/", "/%70roxy/echo", "/proxy;a=b/echo",
            "/PROXY/echo", "/health", "/health/readiness", "/actuator/health", "/nowhere", "/", "*",
            "http://t/proxy/echo", "//proxy/echo", "/proxy/../proxy/echo", "/error");
    private static final List<String> SEGMENTS = List.of("a", "b%20c", "%C3%A9", "%e2%82%ac", "%FF", "%00", "%0d%0a",
            "%", "%2", "%zz", "%25", "%252e%252e", "%2e%2e", "..", ".", "%2F", "%5C", "\\", ";x", "..;", ";", "a;b=c",
            "", "~", "%7E", "!$&'()*+,=:@", "%3F", "%23", "|", "{}", "^`", "\"", "<>", "\u00e9", "\u00ff", "%u0041",
            "a".repeat(300));
    private static final List<String> QUERIES = List.of("", "?", "?a=1", "?a=1&a=2", "?x=%zz", "?x=%", "?%00=1",
            "?q=a%20b&r=%C3%A9", "?CamelHttpUri=http://127.0.0.1:1/", "?header=X-A:b", "?a=|", "?a=\"", "?#frag",
            "?" + "k=v&".repeat(200));
    private static final List<String> VERSIONS = List.of("HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0",
            "HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "http/1.1", "HTTP/1.1 extra", "");
    private static final List<String> NAMES = List.of("X-A", "x-a", "Accept", "User-Agent", "Cookie", "Authorization",
            "Content-Type", "Connection", "Keep-Alive", "TE", "Trailer", "Upgrade", "Expect", "Range", "Via",
            "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded", "X-Real-IP", "X-Request-Id",
            "CamelHttpUri", "CamelHttpPath", "camelhttpmethod", "Proxy-Authorization", "Transfer-Encoding",
            "Content-Length", "Host", "Accept-Charset", "If-None-Match", "X-Empty", "traceparent", "X-API-Key",
            "X A", "X:A", "X\u00e9", "", "(a)", "X-" + "n".repeat(200));
    private static final List<String> VALUES = List.of("", " ", "1", "a, b", "close", "keep-alive", "upgrade",
            "close, X-Forwarded-For, X-Request-Id", "chunked", "gzip, chunked", "identity", "100-continue", "foo",
            "text/plain; charset=@", "text/plain; charset=utf-16", "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded", "application/json", "bytes=0-1", "203.0.113.1, garbage",
            "for=1.2.3.4;proto=https", "[::1]", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "-1",
            "99999999999999999999", "\u00e9\u00ff\u0080", "\tleading tab", "trailing space ", "a\u0000b", "a\rb",
            "a\nb", "\u007f", "\"quoted\"", "v".repeat(5000), "=?utf-8?q?x?=");

    private RequestGenerator() {
    }

    /** One generated request, as written to the socket (the client half-closes after it). */
    record Request(byte[] bytes) {

        String printable() {
            StringBuilder sb = new StringBuilder();
            String text = new String(bytes, 0, Math.min(bytes.length, 2000), StandardCharsets.ISO_8859_1);
            for (char c : text.toCharArray()) {
                if (c == '\r') {
                    sb.append("\\r");
                } else if (c == '\n') {
                    sb.append("\\n\n");
                } else if (c < 0x20 || c >= 0x7f) {
                    sb.append(String.format("\\x%02x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            return bytes.length > 2000 ? sb + "... (" + bytes.length + " bytes)" : sb.toString();
        }
    }

    static Request request(long seed, int index) {
        Random random = new Random(seed * 1_000_003L + index);
        StringBuilder head = new StringBuilder();
        head.append(hostile(random, 4) ? pick(random, METHODS) : pick(random, CLEAN_METHODS)).append(' ')
                .append(target(random)).append(' ')
                .append(hostile(random, 10) ? pick(random, VERSIONS) : "HTTP/1.1").append("\r\n");
        if (!hostile(random, 30)) {
            head.append("Host: ").append(hostile(random, 20) ? pick(random, VALUES) : "gateway.test").append("\r\n");
        }
        int headers = hostile(random, 60) ? 120 : random.nextInt(6);
        for (int i = 0; i < headers; i++) {
            String name = hostile(random, 8) ? pick(random, NAMES) : pick(random, CLEAN_NAMES);
            if (random.nextInt(10) > 0 && (name.equals("Content-Length") || name.equals("Transfer-Encoding"))) {
                name = "X-Not-" + name; // framing is chosen below; only sometimes does it collide with this
            }
            head.append(name).append(':').append(random.nextBoolean() ? " " : "")
                    .append(hostile(random, 6) ? value(random) : pick(random, CLEAN_VALUES));
            if (hostile(random, 100)) {
                head.append("\r\n ").append("folded"); // obs-fold
            }
            head.append(hostile(random, 100) ? "\n" : "\r\n");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] body = body(random);
        byte[] framed = frame(random, head, body);
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(framed);
        return new Request(out.toByteArray());
    }

    private static String target(Random random) {
        StringBuilder path = new StringBuilder(hostile(random, 4) ? pick(random, BASES) : "/proxy/echo");
        int segments = random.nextInt(4);
        for (int i = 0; i < segments; i++) {
            path.append('/').append(hostile(random, 6) ? pick(random, SEGMENTS) : pick(random, CLEAN_SEGMENTS));
        }
        if (hostile(random, 20)) {
            path.append('%').append(Integer.toHexString(random.nextInt(256)));
        }
        return path.append(random.nextInt(3) == 0 ? pick(random, QUERIES) : "").toString();
    }

    private static String value(Random random) {
        if (random.nextInt(6) == 0) {
            char[] chars = new char[random.nextInt(40)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) (random.nextInt(4) == 0 ? random.nextInt(256) : 0x20 + random.nextInt(0x5f));
            }
            return new String(chars);
        }
        return pick(random, VALUES);
    }

    private static byte[] body(Random random) {
        int size = switch (random.nextInt(6)) {
            case 0, 1 -> 0;
            case 2 -> random.nextInt(16);
            case 3 -> random.nextInt(2048);
            case 4 -> 65_536 + random.nextInt(65_536);
            default -> random.nextInt(300);
        };
        byte[] body = new byte[size];
        random.nextBytes(body);
        return body;
    }

    /** Adds the framing headers to {@code head} and returns what follows the head on the wire. */
    private static byte[] frame(Random random, StringBuilder head, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (hostile(random, 3) ? 6 + random.nextInt(6) : random.nextInt(6)) {
            case 0, 1, 2, 3 -> { // Content-Length, right
                if (body.length > 0 || random.nextBoolean()) {
                    head.append("Content-Length: ").append(body.length).append("\r\n");
                }
                out.writeBytes(body);
            }
            case 4, 5 -> { // chunked, right: random chunk sizes, sometimes extensions and trailers
                head.append("Transfer-Encoding: chunked\r\n");
                int at = 0;
                while (at < body.length) {
                    int n = Math.min(body.length - at, 1 + random.nextInt(5000));
                    String ext = random.nextInt(5) == 0 ? ";ext=\"v\"" : "";
                    out.writeBytes((Integer.toHexString(n) + ext + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body, at, n);
                    out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    at += n;
                }
                out.writeBytes((random.nextInt(4) == 0 ? "0\r\nX-Trailer: t\r\n\r\n" : "0\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
            case 6 -> { // Content-Length larger than what is sent: the client half-closes after it
                head.append("Content-Length: ").append(body.length + 1 + random.nextInt(1000)).append("\r\n");
                out.writeBytes(body);
            }
            case 7 -> { // Content-Length smaller than what is sent: the rest looks like a next request
                head.append("Content-Length: ").append(body.length / 2).append("\r\n");
                out.writeBytes(body);
            }
            case 8 -> { // both, or two lengths
                head.append("Content-Length: ").append(body.length).append("\r\n");
                head.append(random.nextBoolean() ? "Transfer-Encoding: chunked\r\n" : "Content-Length: 1\r\n");
                out.writeBytes(body);
            }
            case 9 -> { // broken chunked framing
                head.append("Transfer-Encoding: chunked\r\n");
                String[] broken = {"zz\r\nabc\r\n0\r\n\r\n", "5\r\nabc\r\n", "ffffffffffffffffff\r\n", "3\nabc\n0\n\n",
                        "-1\r\n", "3\r\nabcXX0\r\n\r\n", "0\r\n"};
                out.writeBytes(broken[random.nextInt(broken.length)].getBytes(StandardCharsets.ISO_8859_1));
            }
            case 10 -> { // a transfer coding the gateway does not decode
                head.append("Transfer-Encoding: ").append(random.nextBoolean() ? "gzip, chunked" : "chunked, gzip")
                        .append("\r\n");
                out.writeBytes("3\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            default -> { // no framing header at all, with or without bytes after the head
                if (random.nextBoolean()) {
                    out.writeBytes(body);
                }
            }
        }
        return out.toByteArray();
    }

    /** True one time in {@code oneIn}: each part of a request is hostile now and then, so most requests get far. */
    private static boolean hostile(Random random, int oneIn) {
        return random.nextInt(oneIn) == 0;
    }

    private static <T> T pick(Random random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }
}
