package dev.apigateway.ratelimit;

import java.util.regex.Pattern;

/**
 * What a route's buckets belong to ({@code RATE_LIMIT_KEY}, a route's {@code rateLimitKey}): {@code ip}, the
 * client address; {@code header:NAME}, the value of a request header (hashed), the address when it is missing;
 * {@code consumer}, the consumer of the request's API key ({@code CONSUMERS_FILE}).
 *
 * @param header   the header of {@code header:NAME}, else {@code null}
 * @param consumer true for {@code consumer}
 */
public record KeySetting(String header, boolean consumer) {

    public static final KeySetting IP = new KeySetting(null, false);

    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    /** @throws IllegalArgumentException naming the value */
    public static KeySetting parse(String text) {
        String value = text == null ? "" : text.trim();
        if (value.isEmpty() || value.equals("ip")) {
            return IP;
        }
        if (value.equals("consumer")) {
            return new KeySetting(null, true);
        }
        if (value.startsWith("header:") && HEADER_NAME.matcher(value.substring(7)).matches()) {
            return new KeySetting(value.substring(7), false);
        }
        throw new IllegalArgumentException("'" + value + "' must be ip, header:NAME (a header name) or consumer");
    }

    @Override
    public String toString() {
        return consumer ? "consumer" : header != null ? "header:" + header : "ip";
    }
}
