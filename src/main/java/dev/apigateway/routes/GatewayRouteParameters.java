package dev.apigateway.routes;

import dev.apigateway.circuitbreaker.BreakerPolicy;
import dev.apigateway.config.GatewayProperties;
import dev.apigateway.ratelimit.KeySetting;
import dev.apigateway.ratelimit.RateLimitPlan;
import dev.apigateway.ratelimit.RateLimitPolicy;
import dev.apigateway.ratelimit.RequestCosts;
import dev.apigateway.targets.ActiveHealthCheck;
import dev.apigateway.targets.UpstreamTargets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The parameters of the {@code gateway-route} template, validated into a path and a {@link RouteSettings}. One
 * place for the rules, used by the template itself, by the route-file loader before it swaps anything in, and by
 * the offline {@code --validate} command. Every message names the parameter and the bad value.
 */
public final class GatewayRouteParameters {

    public static final String TEMPLATE_ID = "gateway-route";

    public static final String PATH = "path";
    public static final String UPSTREAM_URL = "upstreamUrl";
    public static final String RATE_LIMIT_CAPACITY = "rateLimitCapacity";
    public static final String RATE_LIMIT_REFILL_RATE = "rateLimitRefillRate";
    public static final String RATE_LIMIT_REFILL_PERIOD_SECONDS = "rateLimitRefillPeriodSeconds";
    public static final String RATE_LIMIT_KEY_HEADER = "rateLimitKeyHeader";
    public static final String RATE_LIMITS = "rateLimits";
    public static final String RATE_LIMIT_SHADOW = "rateLimitShadow";
    public static final String RATE_LIMIT_COSTS = "rateLimitCosts";
    public static final String RATE_LIMIT_KEY = "rateLimitKey";
    public static final String CIRCUIT_BREAKER_FAILURE_THRESHOLD = "circuitBreakerFailureThreshold";
    public static final String CIRCUIT_BREAKER_WINDOW_SECONDS = "circuitBreakerWindowSeconds";
    public static final String CIRCUIT_BREAKER_RESET_TIMEOUT_SECONDS = "circuitBreakerResetTimeoutSeconds";
    public static final String UPSTREAM_TIMEOUT_SECONDS = "upstreamTimeoutSeconds";
    public static final String MAX_CONCURRENT_REQUESTS = "maxConcurrentRequests";
    public static final String UPSTREAM_RETRIES = "upstreamRetries";
    public static final String HEALTH_CHECK_PATH = "healthCheckPath";
    public static final String HEALTH_CHECK_INTERVAL_SECONDS = "healthCheckIntervalSeconds";
    public static final String HEALTH_CHECK_HEALTHY_THRESHOLD = "healthCheckHealthyThreshold";
    public static final String HEALTH_CHECK_UNHEALTHY_THRESHOLD = "healthCheckUnhealthyThreshold";

    /** Required first, then the optional ones, in the order ROUTES.md lists them. */
    public static final List<String> NAMES = List.of(PATH, UPSTREAM_URL, RATE_LIMIT_CAPACITY, RATE_LIMIT_REFILL_RATE,
            RATE_LIMIT_REFILL_PERIOD_SECONDS, RATE_LIMIT_KEY_HEADER, RATE_LIMITS, RATE_LIMIT_SHADOW,
            RATE_LIMIT_COSTS, RATE_LIMIT_KEY, CIRCUIT_BREAKER_FAILURE_THRESHOLD,
            CIRCUIT_BREAKER_WINDOW_SECONDS, CIRCUIT_BREAKER_RESET_TIMEOUT_SECONDS, UPSTREAM_TIMEOUT_SECONDS,
            MAX_CONCURRENT_REQUESTS, UPSTREAM_RETRIES, HEALTH_CHECK_PATH, HEALTH_CHECK_INTERVAL_SECONDS,
            HEALTH_CHECK_HEALTHY_THRESHOLD, HEALTH_CHECK_UNHEALTHY_THRESHOLD);

    public static final List<String> OPTIONAL = NAMES.subList(2, NAMES.size());

    private static final Pattern ROUTE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern PATH_SEGMENTS = Pattern.compile("(/[A-Za-z0-9._~-]+)+");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    /** A templated route as it will run. */
    public record Spec(String routeId, String path, RouteSettings settings) {
    }

    private GatewayRouteParameters() {
    }

    /**
     * @param params       the template parameters as written (values are strings or numbers)
     * @param defaults     the global settings under this route's id
     * @param singleLimit  the {@code RATE_LIMIT_*} sizes, which {@code rateLimitCapacity} and its two siblings
     *                     start from
     * @throws IllegalArgumentException naming the parameter and the value
     */
    public static Spec parse(String routeId, Map<String, ?> params, RouteSettings defaults,
                             RateLimitPolicy singleLimit) {
        requireRouteId(routeId);
        for (String name : params.keySet()) {
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("unknown template parameter '" + name + "' (known: "
                        + String.join(", ", NAMES) + ")");
            }
        }
        String path = requirePath(required(params, PATH));
        UpstreamTargets upstream;
        String url = required(params, UPSTREAM_URL);
        boolean retries = bool(params, UPSTREAM_RETRIES, true);
        ActiveHealthCheck check = healthCheck(params, defaults.upstream().healthCheck());
        try {
            upstream = UpstreamTargets.parse(url).withRetries(retries).withHealthCheck(check);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parameter upstreamUrl '" + url + "' " + e.getMessage());
        }
        RateLimitPlan plan = plan(params, defaults.rateLimits(), singleLimit);
        RequestCosts costs = costs(params, defaults.costs(), plan);
        KeySetting key = key(params, defaults);
        BreakerPolicy breaker = defaults.breaker();
        int threshold = (int) positive(params, CIRCUIT_BREAKER_FAILURE_THRESHOLD, breaker.failureThreshold(), 1_000_000);
        Duration window = seconds(params, CIRCUIT_BREAKER_WINDOW_SECONDS, breaker.window(), 86_400);
        Duration reset = seconds(params, CIRCUIT_BREAKER_RESET_TIMEOUT_SECONDS, breaker.resetTimeout(), 86_400);
        Duration timeout = seconds(params, UPSTREAM_TIMEOUT_SECONDS,
                Duration.ofSeconds(wholeSeconds(defaults.upstreamTimeout())), 3600);
        int concurrent = (int) positive(params, MAX_CONCURRENT_REQUESTS, defaults.maxConcurrentRequests(), 100_000);

        RouteSettings settings = new RouteSettings(routeId, upstream, timeout, defaults.connectTimeout(),
                plan, costs, key.header(), key.consumer(),
                new BreakerPolicy(threshold, window, reset, BreakerPolicy.probeLease(timeout, defaults.connectTimeout())),
                concurrent);
        return new Spec(routeId, path, settings);
    }

    /**
     * The route's limits: {@code rateLimits} as written; or one limit {@code default} when any of the three single
     * sizes is given (the others from {@code RATE_LIMIT_*}); or the global plan. {@code rateLimitShadow: true} makes
     * every one a shadow limit.
     */
    private static RateLimitPlan plan(Map<String, ?> params, RateLimitPlan defaults, RateLimitPolicy single) {
        String spec = optional(params, RATE_LIMITS);
        List<String> sizes = List.of(RATE_LIMIT_CAPACITY, RATE_LIMIT_REFILL_RATE, RATE_LIMIT_REFILL_PERIOD_SECONDS)
                .stream().filter(name -> optional(params, name) != null).toList();
        RateLimitPlan plan;
        if (spec != null) {
            if (!sizes.isEmpty()) {
                throw new IllegalArgumentException("parameter rateLimits cannot be combined with "
                        + String.join(", ", sizes) + ": give every limit's sizes in rateLimits");
            }
            try {
                plan = RateLimitPlan.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("parameter rateLimits '" + spec + "': " + e.getMessage(), e);
            }
        } else if (!sizes.isEmpty()) {
            long capacity = positive(params, RATE_LIMIT_CAPACITY, single.capacity(), Integer.MAX_VALUE);
            long refill = positive(params, RATE_LIMIT_REFILL_RATE, single.refillTokens(), Integer.MAX_VALUE);
            Duration period = seconds(params, RATE_LIMIT_REFILL_PERIOD_SECONDS, single.refillPeriod(), 365L * 24 * 3600);
            plan = RateLimitPlan.single(new RateLimitPolicy(capacity, refill, period));
        } else {
            plan = defaults;
        }
        String shadow = optional(params, RATE_LIMIT_SHADOW);
        if (shadow == null || shadow.equals("false")) {
            return plan;
        }
        if (!shadow.equals("true")) {
            throw new IllegalArgumentException("parameter rateLimitShadow must be true or false, was '" + shadow + "'");
        }
        return plan.asShadow();
    }

    /** {@code rateLimitKey} or its older form {@code rateLimitKeyHeader: NAME}, else {@code RATE_LIMIT_KEY}. */
    private static KeySetting key(Map<String, ?> params, RouteSettings defaults) {
        String key = optional(params, RATE_LIMIT_KEY);
        String keyHeader = optional(params, RATE_LIMIT_KEY_HEADER);
        if (key != null && keyHeader != null) {
            throw new IllegalArgumentException("parameter rateLimitKey cannot be combined with rateLimitKeyHeader:"
                    + " write rateLimitKey: header:" + keyHeader);
        }
        if (keyHeader != null) {
            if (!HEADER_NAME.matcher(keyHeader).matches()) {
                throw new IllegalArgumentException("parameter rateLimitKeyHeader '" + keyHeader
                        + "' is not a valid header name");
            }
            return new KeySetting(keyHeader, false);
        }
        if (key == null) {
            return new KeySetting(defaults.keyHeader(), defaults.consumerKeyed());
        }
        try {
            return KeySetting.parse(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parameter rateLimitKey " + e.getMessage(), e);
        }
    }

    /** {@code rateLimitCosts}, else the global rules; either way no request may cost more than a limit holds. */
    private static RequestCosts costs(Map<String, ?> params, RequestCosts defaults, RateLimitPlan plan) {
        String spec = optional(params, RATE_LIMIT_COSTS);
        RequestCosts costs;
        try {
            costs = spec == null ? defaults : RequestCosts.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parameter rateLimitCosts '" + spec + "': " + e.getMessage(), e);
        }
        try {
            costs.requireWithin(plan);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((spec != null ? "parameter rateLimitCosts: "
                    : "RATE_LIMIT_COSTS applies to this route, which sets no rateLimitCosts: ") + e.getMessage(), e);
        }
        return costs;
    }

    /** Route ids become metric labels and Redis keys: letters, digits, {@code . _ -}. */
    public static String requireRouteId(String routeId) {
        if (routeId == null || !ROUTE_ID.matcher(routeId).matches()) {
            throw new IllegalArgumentException("route id '" + routeId
                    + "' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return routeId;
    }

    /** A path a route may serve: {@code /a/b}, no trailing slash, no query, no placeholders. */
    public static String requirePath(String path) {
        if (path == null || !PATH_SEGMENTS.matcher(path).matches()) {
            throw new IllegalArgumentException("path '" + path
                    + "' must look like /name or /name/more (letters, digits, '.', '_', '~', '-'), with no trailing slash");
        }
        return path;
    }

    /** Whole seconds, rounded up, at least 1: the unit of {@code upstreamTimeoutSeconds}. */
    public static long wholeSeconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    /**
     * The parameters handed to Camel's template for a validated spec: every one explicit, so the route Camel builds
     * is exactly the one the settings describe.
     */
    public static Map<String, Object> templateParameters(Spec spec) {
        RouteSettings s = spec.settings();
        String upstream = s.upstream().toString();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(PATH, spec.path());
        out.put(UPSTREAM_URL, upstream);
        out.put(RATE_LIMITS, s.rateLimits().spec()); // every limit, its sizes and its shadow flag
        out.put(RATE_LIMIT_COSTS, s.costs().spec());
        out.put(RATE_LIMIT_KEY, new KeySetting(s.keyHeader(), s.consumerKeyed()).toString());
        out.put(CIRCUIT_BREAKER_FAILURE_THRESHOLD, Integer.toString(s.breaker().failureThreshold()));
        out.put(CIRCUIT_BREAKER_WINDOW_SECONDS, Long.toString(wholeSeconds(s.breaker().window())));
        out.put(CIRCUIT_BREAKER_RESET_TIMEOUT_SECONDS, Long.toString(wholeSeconds(s.breaker().resetTimeout())));
        out.put(UPSTREAM_TIMEOUT_SECONDS, Long.toString(wholeSeconds(s.upstreamTimeout())));
        out.put(MAX_CONCURRENT_REQUESTS, Integer.toString(s.maxConcurrentRequests()));
        out.put(UPSTREAM_RETRIES, Boolean.toString(s.upstream().retries()));
        ActiveHealthCheck check = s.upstream().healthCheck();
        out.put(HEALTH_CHECK_PATH, check.path());
        out.put(HEALTH_CHECK_INTERVAL_SECONDS, Long.toString(wholeSeconds(check.interval())));
        out.put(HEALTH_CHECK_HEALTHY_THRESHOLD, Integer.toString(check.healthyThreshold()));
        out.put(HEALTH_CHECK_UNHEALTHY_THRESHOLD, Integer.toString(check.unhealthyThreshold()));
        return out;
    }

    private static String required(Map<String, ?> params, String name) {
        String value = optional(params, name);
        if (value == null) {
            throw new IllegalArgumentException("template parameter '" + name + "' is required");
        }
        return value;
    }

    private static String optional(Map<String, ?> params, String name) {
        Object value = params.get(name);
        if (value == null) {
            return null;
        }
        String text = value.toString().trim();
        return text.isEmpty() ? null : text;
    }

    private static ActiveHealthCheck healthCheck(Map<String, ?> params, ActiveHealthCheck defaults) {
        String path = optional(params, HEALTH_CHECK_PATH);
        Duration interval = seconds(params, HEALTH_CHECK_INTERVAL_SECONDS, defaults.interval(), 3600);
        int healthy = (int) positive(params, HEALTH_CHECK_HEALTHY_THRESHOLD, defaults.healthyThreshold(), 100);
        int unhealthy = (int) positive(params, HEALTH_CHECK_UNHEALTHY_THRESHOLD, defaults.unhealthyThreshold(), 100);
        try {
            return new ActiveHealthCheck(path != null ? path : defaults.path(), interval, healthy, unhealthy);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parameter " + HEALTH_CHECK_PATH + ": " + e.getMessage());
        }
    }

    private static boolean bool(Map<String, ?> params, String name, boolean fallback) {
        String text = optional(params, name);
        if (text == null) {
            return fallback;
        }
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("parameter " + name + " must be true or false, was '" + text + "'");
        }
        return Boolean.parseBoolean(text);
    }

    private static long positive(Map<String, ?> params, String name, long fallback, long max) {
        String text = optional(params, name);
        if (text == null) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter " + name + " '" + text + "' is not a whole number");
        }
        if (value < 1 || value > max) {
            throw new IllegalArgumentException("parameter " + name + " must be between 1 and " + max + ", was " + value);
        }
        return value;
    }

    private static Duration seconds(Map<String, ?> params, String name, Duration fallback, long max) {
        String text = optional(params, name);
        return text == null ? fallback : Duration.ofSeconds(positive(params, name, 0, max));
    }
}
