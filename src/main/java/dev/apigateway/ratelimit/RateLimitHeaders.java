package dev.apigateway.ratelimit;

import java.util.Map;

/**
 * The rate-limit headers of an answer, from a verdict: {@code RateLimit-Policy} lists every limit of the route as the
 * IETF httpapi draft does ({@code "burst";q=20;w=2, "daily";q=10000;w=86400}); {@code RateLimit} and the older
 * {@code RateLimit-Limit}/{@code -Remaining}/{@code -Reset} trio describe the limit nearest to refusing
 * ({@link RateLimitVerdict#nearest()}), as a client that reads one limit must back off by that one.
 */
final class RateLimitHeaders {

    private RateLimitHeaders() {
    }

    static void write(RateLimitVerdict verdict, Map<String, String> headers) {
        StringBuilder policy = new StringBuilder();
        for (RateLimitVerdict.LimitResult r : verdict.limits()) {
            if (!policy.isEmpty()) {
                policy.append(", ");
            }
            policy.append('"').append(r.limit().name()).append("\";q=").append(r.decision().limit())
                    .append(";w=").append(r.limit().windowSeconds());
        }
        RateLimitVerdict.LimitResult nearest = verdict.nearest();
        RateLimitDecision d = nearest.decision();
        headers.put("RateLimit-Policy", policy.toString());
        headers.put("RateLimit", '"' + nearest.limit().name() + "\";r=" + d.remaining() + ";t=" + d.resetSeconds());
        headers.put("RateLimit-Limit", Long.toString(d.limit()));
        headers.put("RateLimit-Remaining", Long.toString(d.remaining()));
        headers.put("RateLimit-Reset", Long.toString(d.resetSeconds()));
    }
}
