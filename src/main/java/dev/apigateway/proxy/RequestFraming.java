package dev.apigateway.proxy;

import java.util.List;
import java.util.Locale;

/**
 * Whether a request's message framing is unambiguous (RFC 9112 sections 6.1 to 6.3), judged on its header fields as
 * received, before any of them is interpreted or removed. A request is refused when an intermediary and the server
 * behind it could disagree about where it ends, which is how requests are smuggled:
 * <ul>
 *   <li>both {@code Content-Length} and {@code Transfer-Encoding} (nginx refuses it since 1.21.1);</li>
 *   <li>more than one {@code Content-Length} (field lines or a list), or one that is not a decimal number;</li>
 *   <li>a {@code Transfer-Encoding} other than exactly {@code chunked}: the gateway decodes no other coding, and
 *   {@code chunked} that is not the final coding leaves the length undecidable;</li>
 *   <li>{@code Transfer-Encoding} in an HTTP/1.0 request (section 6.1: the framing is faulty);</li>
 *   <li>NUL, CR or LF in a field name or value.</li>
 * </ul>
 */
public final class RequestFraming {

    /** One header field line as received. */
    public record Field(String name, String value) {
    }

    private RequestFraming() {
    }

    /** @return why the request is refused, or {@code null} when its framing is unambiguous */
    public static String reject(String protocol, List<Field> fields) {
        int contentLengths = 0;
        String contentLength = null;
        StringBuilder transferCodings = null;
        for (Field field : fields) {
            String name = field.name();
            String value = field.value() == null ? "" : field.value();
            if (hasLineBreakOrNul(name) || hasLineBreakOrNul(value)) {
                return "a header field contains NUL, CR or LF";
            }
            if ("Content-Length".equalsIgnoreCase(name)) {
                contentLengths++;
                contentLength = value.trim();
            } else if ("Transfer-Encoding".equalsIgnoreCase(name)) {
                transferCodings = transferCodings == null ? new StringBuilder(value) : transferCodings.append(',').append(value);
            }
        }
        if (transferCodings != null) {
            if (contentLengths > 0) {
                return "the request has both Content-Length and Transfer-Encoding";
            }
            if ("HTTP/1.0".equals(protocol)) {
                return "an HTTP/1.0 request cannot use Transfer-Encoding";
            }
            if (!onlyChunked(transferCodings.toString())) {
                return "the only Transfer-Encoding accepted is chunked";
            }
        }
        if (contentLengths > 1) {
            return "the request has more than one Content-Length";
        }
        if (contentLength != null && !isDigits(contentLength)) {
            return "Content-Length is not a number";
        }
        return null;
    }

    private static boolean onlyChunked(String codings) {
        int chunked = 0;
        for (String coding : codings.split(",")) {
            String c = coding.trim();
            if (c.isEmpty()) {
                continue;
            }
            if (!c.toLowerCase(Locale.ROOT).equals("chunked")) {
                return false;
            }
            chunked++;
        }
        return chunked == 1;
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean hasLineBreakOrNul(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return true;
            }
        }
        return false;
    }
}
