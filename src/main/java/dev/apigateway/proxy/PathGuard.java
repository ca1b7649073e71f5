package dev.apigateway.proxy;

import java.nio.charset.StandardCharsets;

/**
 * Decides whether a raw (still percent-encoded) request path may be forwarded: a path that could leave the
 * upstream's base path once any hop decodes it ({@code ..}, {@code %2e%2e}, {@code %252e%252e}, backslashes,
 * encoded NULs) is refused, so it is never forwarded.
 */
public final class PathGuard {

    private static final int MAX_DECODING_ROUNDS = 4;

    private PathGuard() {
    }

    /** @return why the path is refused, or {@code null} when it may be forwarded */
    public static String reject(String rawPath) {
        String path = rawPath;
        for (int round = 0; round <= MAX_DECODING_ROUNDS; round++) {
            String why = check(path);
            if (why != null) {
                return why;
            }
            if (path.indexOf('%') < 0) {
                return null;
            }
            String decoded = percentDecode(path);
            if (decoded == null) {
                return "the path has a malformed percent-encoding";
            }
            if (decoded.equals(path)) {
                return null;
            }
            path = decoded;
        }
        return "the path is encoded too many times";
    }

    private static String check(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\') {
                return "the path contains a backslash";
            }
            if (c < 0x20 || c == 0x7f) {
                return "the path contains a control character";
            }
        }
        int start = 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            String segment = path.substring(start, end);
            int semi = segment.indexOf(';');
            if (semi >= 0) {
                segment = segment.substring(0, semi);
            }
            if (segment.equals("..") || segment.equals(".")) {
                return "the path contains a dot segment";
            }
            start = end + 1;
        }
        return null;
    }

    private static String percentDecode(String s) {
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out[n++] = (byte) ((hi << 4) | lo);
                i += 2;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                byte[] enc = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (n + enc.length > out.length) {
                    byte[] bigger = new byte[out.length + enc.length + 16];
                    System.arraycopy(out, 0, bigger, 0, n);
                    out = bigger;
                }
                System.arraycopy(enc, 0, out, n, enc.length);
                n += enc.length;
            }
        }
        return new String(out, 0, n, StandardCharsets.ISO_8859_1);
    }
}
