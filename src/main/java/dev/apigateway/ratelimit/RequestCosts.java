package dev.apigateway.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.util.AntPathMatcher;

/**
 * What a request costs in tokens on one route: the first rule that matches its method and path, else 1. Rules are
 * written {@code METHOD=N}, {@code METHOD /pattern=N} or {@code /pattern=N}, comma-separated, e.g.
 * {@code POST /reports/**=10,DELETE=5}; a pattern is an Ant-style path ({@code *} one segment, {@code **} any
 * number) matched against the path below the route's own.
 *
 * @param rules in the order written; empty: every request costs 1
 */
public record RequestCosts(List<Rule> rules) {

    /** Every request costs one token. */
    public static final RequestCosts ONE_EACH = new RequestCosts(List.of());

    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,20}");
    private static final AntPathMatcher PATHS = new AntPathMatcher();

    /** One rule: {@code method} or {@code pattern} may be null (any). */
    public record Rule(String method, String pattern, long cost) {
        boolean matches(String requestMethod, String path) {
            return (method == null || method.equals(requestMethod))
                    && (pattern == null || PATHS.match(pattern, path == null || path.isEmpty() ? "/" : path));
        }

        @Override
        public String toString() {
            return (method == null ? "" : method) + (method != null && pattern != null ? " " : "")
                    + (pattern == null ? "" : pattern) + "=" + cost;
        }
    }

    public RequestCosts {
        rules = List.copyOf(rules);
    }

    /**
     * @param spec the rules; blank for none
     * @throws IllegalArgumentException naming the rule and what is wrong with it
     */
    public static RequestCosts parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return ONE_EACH;
        }
        List<Rule> rules = new ArrayList<>();
        for (String entry : spec.split(",", -1)) {
            rules.add(parseRule(entry.trim()));
        }
        return new RequestCosts(rules);
    }

    private static Rule parseRule(String entry) {
        int eq = entry.lastIndexOf('=');
        if (eq < 1) {
            throw new IllegalArgumentException("cost rule '" + entry + "' must be METHOD=N, METHOD /path=N or /path=N");
        }
        String match = entry.substring(0, eq).trim();
        String number = entry.substring(eq + 1).trim();
        long cost;
        try {
            cost = Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cost rule '" + entry + "': cost '" + number + "' is not a whole number");
        }
        if (cost < 1 || cost > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cost rule '" + entry + "': cost must be between 1 and "
                    + Integer.MAX_VALUE + ", was " + cost);
        }
        String method = null;
        String pattern = null;
        String[] parts = match.split("\\s+");
        if (parts.length == 1 && parts[0].startsWith("/")) {
            pattern = parts[0];
        } else if (parts.length == 1 || parts.length == 2) {
            method = parts[0];
            if (!METHOD.matcher(method).matches()) {
                throw new IllegalArgumentException("cost rule '" + entry + "': '" + method
                        + "' is not an HTTP method in capitals (GET, POST, ...)");
            }
            if (parts.length == 2) {
                pattern = parts[1];
                if (!pattern.startsWith("/")) {
                    throw new IllegalArgumentException("cost rule '" + entry + "': path pattern '" + pattern
                            + "' must start with /");
                }
            }
        } else {
            throw new IllegalArgumentException("cost rule '" + entry + "' must be METHOD=N, METHOD /path=N or /path=N");
        }
        return new Rule(method, pattern, cost);
    }

    /** The cost of a request: the first matching rule's, else 1. */
    public long costOf(String method, String path) {
        String m = method == null ? "" : method.toUpperCase(Locale.ROOT);
        for (Rule rule : rules) {
            if (rule.matches(m, path)) {
                return rule.cost();
            }
        }
        return 1;
    }

    /** The highest cost any request can have. */
    public long max() {
        return rules.stream().mapToLong(Rule::cost).max().orElse(1);
    }

    /**
     * @throws IllegalArgumentException when a rule costs more than a limit of the plan holds (such a request could
     *                                  never pass), naming both
     */
    public void requireWithin(RateLimitPlan plan) {
        for (Rule rule : rules) {
            for (NamedLimit limit : plan.limits()) {
                if (rule.cost() > limit.policy().capacity()) {
                    throw new IllegalArgumentException("cost rule '" + rule + "' costs more than limit '"
                            + limit.name() + "' holds (capacity " + limit.policy().capacity()
                            + "): such a request could never pass");
                }
            }
        }
    }

    /** The rules in the syntax {@link #parse} reads. */
    public String spec() {
        return String.join(",", rules.stream().map(Rule::toString).toList());
    }
}
