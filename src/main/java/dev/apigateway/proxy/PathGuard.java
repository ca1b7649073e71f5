package dev.apigateway.proxy;

import java.nio.charset.StandardCharsets;
import org.springframework.web.util.UriUtils;

/**
 * The request path the gateway forwards, judged and cut on the raw (still percent-encoded) path:
 * <ul>
 *   <li>{@link #reject} refuses a path that could leave the upstream's base path once any hop decodes it
 *   ({@code ..}, {@code %2e%2e}, {@code %252e%252e}, backslashes, encoded NULs), and every malformed
 *   percent-encoding, at any decoding round ({@code %}, {@code %2}, {@code %zz}, a trailing {@code %25});</li>
 *   <li>{@link #below} takes the part below the route's path by matching the route's segments against the
 *   <em>decoded</em> segments of the request (path parameters removed, as the servlet container does before it maps
 *   the request), so {@code /%70roxy/a} and {@code /proxy;x/a} forward {@code /a}, never the upstream's root or
 *   {@code /;x/a}.</li>
 * </ul>
 * Decoding is Spring's {@link UriUtils#decode(String, java.nio.charset.Charset)} (UTF-8), which refuses malformed
 * escapes instead of guessing.
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
            String decoded = decode(path);
            if (decoded == null) {
                return "the path has a malformed percent-encoding";
            }
            path = decoded;
        }
        return "the path is encoded too many times";
    }

    /**
     * As {@link #reject(String)}, and the decoded path must be below {@code routePath} (see {@link #below}).
     *
     * @return why the path is refused, or {@code null} when it may be forwarded
     */
    public static String reject(String rawPath, String routePath) {
        String why = reject(rawPath);
        if (why == null && below(routePath, rawPath) == null) {
            why = "the path is not below " + routePath;
        }
        return why;
    }

    /**
     * The raw path below {@code routePath}, still encoded as the client sent it ({@code ""} for the route's own
     * path), or {@code null} when the decoded request path is not below the route's path. A route segment
     * {@code {name}} matches any one segment.
     */
    public static String below(String routePath, String rawPath) {
        if (routePath == null || routePath.isEmpty() || routePath.equals("/")) {
            return rawPath;
        }
        if (rawPath.startsWith(routePath) && routePath.indexOf('{') < 0 && (rawPath.length() == routePath.length()
                || rawPath.charAt(routePath.length()) == '/')) {
            // the common case, sent as the route names it: no decoding, no allocation but the remainder
            return rawPath.substring(routePath.length());
        }
        int at = 0;
        for (String expected : routePath.split("/")) {
            if (expected.isEmpty()) {
                continue;
            }
            if (at >= rawPath.length() || rawPath.charAt(at) != '/') {
                return null;
            }
            while (at < rawPath.length() && rawPath.charAt(at) == '/') {
                at++; // the container merges repeated slashes before it maps the request
            }
            int end = rawPath.indexOf('/', at);
            if (end < 0) {
                end = rawPath.length();
            }
            String segment = rawPath.substring(at, end);
            int parameters = segment.indexOf(';');
            String decoded = decode(parameters >= 0 ? segment.substring(0, parameters) : segment);
            boolean anySegment = expected.startsWith("{") && expected.endsWith("}");
            if (decoded == null || !(anySegment || decoded.equals(expected))) {
                return null;
            }
            at = end;
        }
        return rawPath.substring(at);
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

    /** @return the decoded text, or {@code null} for a malformed percent-encoding */
    private static String decode(String s) {
        try {
            return UriUtils.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
