package dev.apigateway.targets;

import java.time.Duration;

/**
 * When a route's target is ejected and for how long (passive health, as Envoy's outlier detection).
 *
 * @param consecutiveFailures failed attempts in a row (upstream 5xx, timeout, reset) that eject a target; a refused
 *                            or timed-out connect ejects it at once
 * @param baseTime            the first ejection's length; the n-th in a row lasts n times as long
 * @param maxTime             the longest an ejection lasts; a target back for this long starts again from the base
 */
public record EjectionPolicy(int consecutiveFailures, Duration baseTime, Duration maxTime) {

    /** At most this share of a route's targets is ejected at once (Envoy's {@code max_ejection_percent}). */
    public static final int MAX_EJECTED_PERCENT = 50;

    public EjectionPolicy {
        if (consecutiveFailures < 1) {
            throw new IllegalArgumentException("consecutiveFailures must be at least 1");
        }
        if (baseTime.isNegative() || baseTime.isZero() || maxTime.compareTo(baseTime) < 0) {
            throw new IllegalArgumentException("ejection times must be positive, the longest at least the base");
        }
    }

    /** Ten times the base at most, as Envoy's defaults (30 s base, 300 s max). */
    public static EjectionPolicy of(int consecutiveFailures, Duration baseTime) {
        return new EjectionPolicy(consecutiveFailures, baseTime, baseTime.multipliedBy(10));
    }

    /** How many of {@code targets} may be ejected at once: none of one, one of two or three. */
    static int maxEjected(int targets) {
        return targets * MAX_EJECTED_PERCENT / 100;
    }
}
