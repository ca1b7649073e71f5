package dev.apigateway.ratelimit;

import java.util.regex.Pattern;

/**
 * One API consumer of {@code CONSUMERS_FILE}: a name, which keys its buckets and is sent upstream as
 * {@code X-Consumer-Username}, and its own limits (or {@code null}: the route's).
 *
 * @param name   1-64 letters, digits, {@code . _ @ -}, starting with a letter or digit
 * @param limits the consumer's plan, {@code null} for the route's
 */
public record Consumer(String name, RateLimitPlan limits) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    public Consumer {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("consumer name '" + name
                    + "' must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
        }
    }

    /** The bucket key of the consumer: one bucket per consumer, whichever of its keys is used. */
    public String clientKey() {
        return "consumer:" + name;
    }
}
