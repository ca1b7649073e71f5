package dev.apigateway.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The limits of one route, checked together: a request passes only if every enforced limit has its tokens, and when
 * one refuses none is spent. A plan of one limit named {@code default} is what the single {@code RATE_LIMIT_*}
 * settings have always meant.
 *
 * @param limits 1 to {@value #MAX_LIMITS} limits with distinct names, in the order they were written
 */
public record RateLimitPlan(List<NamedLimit> limits) {

    /** More limits on one route would be a configuration mistake, and each costs a key in the one script call. */
    public static final int MAX_LIMITS = 8;

    public RateLimitPlan {
        if (limits == null || limits.isEmpty()) {
            throw new IllegalArgumentException("a rate-limit plan needs at least one limit");
        }
        if (limits.size() > MAX_LIMITS) {
            throw new IllegalArgumentException("at most " + MAX_LIMITS + " limits per route, got " + limits.size());
        }
        Set<String> names = new HashSet<>();
        for (NamedLimit limit : limits) {
            if (!names.add(limit.name())) {
                throw new IllegalArgumentException("limit name '" + limit.name() + "' is given twice");
            }
        }
        limits = List.copyOf(limits);
    }

    /** One limit named {@code default}: the single {@code RATE_LIMIT_*} settings. */
    public static RateLimitPlan single(RateLimitPolicy policy) {
        return new RateLimitPlan(List.of(new NamedLimit(NamedLimit.DEFAULT_NAME, policy, false)));
    }

    /**
     * Reads {@code name:capacity:refill:periodSeconds[:shadow][,...]}, e.g. {@code burst:20:10:1,daily:10000:10000:86400}.
     *
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    public static RateLimitPlan parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no limits given (expected name:capacity:refill:periodSeconds[,...])");
        }
        List<NamedLimit> limits = new ArrayList<>();
        for (String entry : spec.split(",", -1)) {
            limits.add(parseOne(entry.trim()));
        }
        return new RateLimitPlan(limits);
    }

    private static NamedLimit parseOne(String entry) {
        String[] parts = entry.split(":", -1);
        boolean shadow = parts.length == 5 && parts[4].equals("shadow");
        if (parts.length != 4 && !shadow) {
            throw new IllegalArgumentException("limit '" + entry
                    + "' must be name:capacity:refill:periodSeconds, optionally followed by :shadow");
        }
        try {
            long capacity = whole(entry, "capacity", parts[1], Integer.MAX_VALUE);
            long refill = whole(entry, "refill", parts[2], Integer.MAX_VALUE);
            long period = whole(entry, "periodSeconds", parts[3], 365L * 24 * 3600);
            return new NamedLimit(parts[0], new RateLimitPolicy(capacity, refill, Duration.ofSeconds(period)), shadow);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("limit '") ? e
                    : new IllegalArgumentException("limit '" + entry + "': " + e.getMessage(), e);
        }
    }

    private static long whole(String entry, String what, String text, long max) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit '" + entry + "': " + what + " '" + text + "' is not a whole number");
        }
        if (value < 1 || value > max) {
            throw new IllegalArgumentException("limit '" + entry + "': " + what + " must be between 1 and " + max
                    + ", was " + value);
        }
        return value;
    }

    /** Every limit watched only ({@code RATE_LIMIT_SHADOW}, a route's {@code rateLimitShadow}). */
    public RateLimitPlan asShadow() {
        return allShadow() ? this : new RateLimitPlan(limits.stream().map(NamedLimit::asShadow).toList());
    }

    /** True when no limit of the plan can refuse a request. */
    public boolean allShadow() {
        return limits.stream().allMatch(NamedLimit::shadow);
    }

    /** This instance's share of every limit, for the {@code local} fail mode ({@link RateLimitPolicy#share}). */
    public RateLimitPlan share(int instances) {
        if (instances <= 1) {
            return this;
        }
        return new RateLimitPlan(limits.stream()
                .map(l -> new NamedLimit(l.name(), l.policy().share(instances), l.shadow())).toList());
    }

    /** The names of the limits, in order (the {@code limit} metric tag values). */
    public List<String> names() {
        return limits.stream().map(NamedLimit::name).toList();
    }

    /** The largest request cost every limit can hold: the smallest capacity. */
    public long smallestCapacity() {
        return limits.stream().mapToLong(l -> l.policy().capacity()).min().orElseThrow();
    }

    /** The plan in the syntax {@link #parse} reads (whole-second periods are written as such). */
    public String spec() {
        return String.join(",", limits.stream().map(NamedLimit::spec).toList());
    }
}
