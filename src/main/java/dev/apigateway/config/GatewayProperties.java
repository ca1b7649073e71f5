package dev.apigateway.config;

import dev.apigateway.ratelimit.RequestCosts;
import dev.apigateway.targets.UpstreamTargets;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * The gateway's settings. Each is bound from an environment variable in {@code application.yml}
 * (named in brackets below) and validated at start: a bad value stops the start with a message
 * naming the setting and the value.
 */
@Validated
@ConfigurationProperties("gateway")
public class GatewayProperties implements Validator {

    /** One Redis URL, {@code redis://} or {@code rediss://}; empty for none ({@code REDIS_URL}). */
    private String redisUrl = "";

    /**
     * Base URL every {@code /proxy/**} request is forwarded to, or several, {@code URL[;weight=N],...}, balanced
     * ({@code UPSTREAM_URL}).
     */
    @NotNull
    private UpstreamTargets upstreamUrl = UpstreamTargets.parse("http://localhost:5001");

    /** Longest wait for the upstream's response head ({@code UPSTREAM_TIMEOUT}, seconds). */
    @DurationUnit(ChronoUnit.SECONDS)
    @NotNull
    private Duration upstreamTimeout = Duration.ofSeconds(10);

    /** Longest wait to connect to the upstream ({@code UPSTREAM_CONNECT_TIMEOUT_MS}). */
    @DurationUnit(ChronoUnit.MILLIS)
    @NotNull
    private Duration upstreamConnectTimeout = Duration.ofMillis(2000);

    /** Pooled connections to all upstreams together, and to any one of them ({@code UPSTREAM_MAX_CONNECTIONS}). */
    @Min(1)
    @Max(100_000)
    private int upstreamMaxConnections = 1000;

    /** Largest request body forwarded; larger ones are answered 413 ({@code MAX_REQUEST_BODY_BYTES}). */
    @Min(0)
    private long maxRequestBodyBytes = 10L * 1024 * 1024;

    /**
     * Requests in flight at once on one route, for routes that set none; more are answered 503
     * ({@code ROUTE_MAX_CONCURRENT_REQUESTS}). Keep it below {@code SERVER_MAX_THREADS} so that one route cannot take
     * every request thread.
     */
    @Min(1)
    @Max(100_000)
    private int maxConcurrentRequestsPerRoute = 150;

    /**
     * The longest a request may take in all, body upload and answer streaming included
     * ({@code REQUEST_DEADLINE_SECONDS}); then the gateway gives up on it.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    @NotNull
    private Duration requestDeadline = Duration.ofSeconds(30);

    /**
     * The slowest average a request body may arrive at, after its first {@code 5} seconds, in bytes per second; 0 for
     * no minimum ({@code REQUEST_BODY_MIN_BYTES_PER_SECOND}).
     */
    @Min(0)
    private long requestBodyMinBytesPerSecond = 1024;

    /** Where rate-limit buckets and breaker state live ({@code STATE_STORE}). */
    @NotNull
    private StateStoreMode stateStore = StateStoreMode.AUTO;

    /** Folder of YAML route files, watched for changes ({@code ROUTES_DIR}). */
    @NotNull
    private String routesDir = "./routes";

    /** Components a route file may use ({@code ROUTES_ALLOWED_COMPONENTS}; ROUTES.md, "Trust model"). */
    private List<String> routesAllowedComponents = dev.apigateway.routes.RouteSandbox.DEFAULT_COMPONENTS;

    /**
     * Placeholder keys a route file may use: {@code env:NAME}, a property, or a prefix ending in {@code *}
     * ({@code ROUTES_ALLOWED_PLACEHOLDERS}).
     */
    private List<String> routesAllowedPlaceholders = dev.apigateway.routes.RouteSandbox.DEFAULT_PLACEHOLDERS;

    /** CIDRs (or addresses) whose {@code X-Forwarded-For} is believed ({@code TRUSTED_PROXIES}). */
    private List<String> trustedProxies = List.of();

    /** YAML file of API consumers, reloaded when it changes; empty for none ({@code CONSUMERS_FILE}). */
    @NotNull
    private String consumersFile = "";

    /** The request header a consumer's API key comes in ({@code API_KEY_HEADER}). */
    @NotNull
    @jakarta.validation.constraints.Pattern(regexp = "[A-Za-z0-9!#$%&'*+.^_`|~-]+", message = "must be a header name")
    private String apiKeyHeader = "X-API-Key";

    /** The longest a request waits on the shared store ({@code STORE_TIMEOUT_MS}). */
    @DurationUnit(ChronoUnit.MILLIS)
    @NotNull
    private Duration storeTimeout = Duration.ofMillis(50);

    /**
     * Failed attempts in a row (5xx, timeout, reset) after which one of several targets is ejected; a refused connect
     * ejects it at once ({@code UPSTREAM_EJECTION_CONSECUTIVE_FAILURES}).
     */
    @Min(1)
    @Max(1000)
    private int upstreamEjectionConsecutiveFailures = 5;

    /**
     * How long a first ejection lasts; the n-th in a row n times as long, at most 10 times
     * ({@code UPSTREAM_EJECTION_SECONDS}).
     */
    @DurationUnit(ChronoUnit.SECONDS)
    @NotNull
    private Duration upstreamEjectionTime = Duration.ofSeconds(30);

    @Valid
    private final UpstreamHealthCheck upstreamHealthCheck = new UpstreamHealthCheck();

    @Valid
    private final RateLimit rateLimit = new RateLimit();

    @Valid
    private final CircuitBreaker circuitBreaker = new CircuitBreaker();

    public enum StateStoreMode { AUTO, REDIS, MEMORY }

    public enum FailMode { LOCAL, OPEN, CLOSED }

    /** The optional active health check of a route's targets, for routes that set none; off by default. */
    public static class UpstreamHealthCheck {
        /** Path each target is asked with {@code GET}; empty: no active check ({@code UPSTREAM_HEALTH_CHECK_PATH}). */
        private String path = "";
        /** Time between two checks of a target ({@code UPSTREAM_HEALTH_CHECK_INTERVAL_SECONDS}). */
        @DurationUnit(ChronoUnit.SECONDS)
        @NotNull
        private Duration interval = Duration.ofSeconds(10);
        /** Good checks in a row that bring a target back ({@code UPSTREAM_HEALTH_CHECK_HEALTHY_THRESHOLD}). */
        @Min(1)
        @Max(100)
        private int healthyThreshold = 2;
        /** Failed checks in a row that take a target out ({@code UPSTREAM_HEALTH_CHECK_UNHEALTHY_THRESHOLD}). */
        @Min(1)
        @Max(100)
        private int unhealthyThreshold = 3;

        public String getPath() { return path; }
        public void setPath(String path) {
            new dev.apigateway.targets.ActiveHealthCheck(path, Duration.ofSeconds(10), 1, 1); // refuses a bad path
            this.path = path == null ? "" : path.trim();
        }
        public Duration getInterval() { return interval; }
        public void setInterval(Duration interval) {
            if (interval != null && (interval.toSeconds() < 1 || interval.toSeconds() > 3600)) {
                throw new IllegalArgumentException("must be 1-3600 seconds");
            }
            this.interval = interval;
        }
        public int getHealthyThreshold() { return healthyThreshold; }
        public void setHealthyThreshold(int healthyThreshold) { this.healthyThreshold = healthyThreshold; }
        public int getUnhealthyThreshold() { return unhealthyThreshold; }
        public void setUnhealthyThreshold(int unhealthyThreshold) { this.unhealthyThreshold = unhealthyThreshold; }
    }

    /** Token-bucket defaults for every route that does not set its own. */
    public static class RateLimit {
        /** Whether any route limits requests ({@code RATE_LIMIT_ENABLED}); {@code false} switches the step off everywhere. */
        private boolean enabled = true;
        /** Bucket size: the largest burst ({@code RATE_LIMIT_CAPACITY}). */
        @Min(1)
        private long capacity = 100;
        /** Tokens added per period ({@code RATE_LIMIT_REFILL_RATE}). */
        @Min(1)
        private long refillRate = 10;
        /** The refill period ({@code RATE_LIMIT_REFILL_PERIOD_SECONDS}). */
        @DurationUnit(ChronoUnit.SECONDS)
        @NotNull
        private Duration refillPeriod = Duration.ofSeconds(60);
        /**
         * Several named limits for the routes that set none, overriding the three sizes above
         * ({@code RATE_LIMITS}): {@code name:capacity:refill:periodSeconds[:shadow][,...]}; empty for none.
         */
        @NotNull
        private String limits = "";
        /**
         * What a request costs in tokens on the routes that set none ({@code RATE_LIMIT_COSTS}):
         * {@code METHOD=N}, {@code METHOD /pattern=N} or {@code /pattern=N}, comma-separated; empty: 1 each.
         */
        @NotNull
        private String costs = "";
        /** What a bucket belongs to: {@code ip}, {@code header:NAME} or {@code consumer} ({@code RATE_LIMIT_KEY}). */
        @NotNull
        private String key = "ip";
        /** Count and report every limit but never refuse ({@code RATE_LIMIT_SHADOW}). */
        private boolean shadow;
        /** What to do when the store is unreachable ({@code RATE_LIMIT_FAIL_MODE}). */
        @NotNull
        private FailMode failMode = FailMode.LOCAL;

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public long getCapacity() { return capacity; }
        public void setCapacity(long capacity) { this.capacity = capacity; }
        public long getRefillRate() { return refillRate; }
        public void setRefillRate(long refillRate) { this.refillRate = refillRate; }
        public Duration getRefillPeriod() { return refillPeriod; }
        public void setRefillPeriod(Duration refillPeriod) { this.refillPeriod = refillPeriod; }
        public String getLimits() { return limits; }
        public void setLimits(String limits) {
            String text = limits == null ? "" : limits.trim();
            if (!text.isEmpty()) {
                dev.apigateway.ratelimit.RateLimitPlan.parse(text); // refuses a malformed list, naming the entry
            }
            this.limits = text;
        }
        public String getCosts() { return costs; }
        public void setCosts(String costs) {
            String text = costs == null ? "" : costs.trim();
            dev.apigateway.ratelimit.RequestCosts.parse(text); // refuses a malformed rule, naming it
            this.costs = text;
        }
        public String getKey() { return key; }
        public void setKey(String key) {
            this.key = dev.apigateway.ratelimit.KeySetting.parse(key).toString(); // refuses anything else
        }
        public boolean isShadow() { return shadow; }
        public void setShadow(boolean shadow) { this.shadow = shadow; }
        public FailMode getFailMode() { return failMode; }
        public void setFailMode(FailMode failMode) { this.failMode = failMode; }
    }

    /** Circuit-breaker defaults for every route that does not set its own. */
    public static class CircuitBreaker {
        /** Whether any route has a circuit breaker ({@code CIRCUIT_BREAKER_ENABLED}); {@code false} switches it off everywhere. */
        private boolean enabled = true;
        /** Consecutive failures that open the breaker ({@code CIRCUIT_BREAKER_FAILURE_THRESHOLD}). */
        @Min(1)
        private int failureThreshold = 5;
        /** Failures older than this do not count ({@code CIRCUIT_BREAKER_WINDOW_SECONDS}). */
        @DurationUnit(ChronoUnit.SECONDS)
        @NotNull
        private Duration window = Duration.ofSeconds(60);
        /** Time OPEN before a probe ({@code CIRCUIT_BREAKER_RESET_TIMEOUT_SECONDS}). */
        @DurationUnit(ChronoUnit.SECONDS)
        @NotNull
        private Duration resetTimeout = Duration.ofSeconds(60);

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public int getFailureThreshold() { return failureThreshold; }
        public void setFailureThreshold(int failureThreshold) { this.failureThreshold = failureThreshold; }
        public Duration getWindow() { return window; }
        public void setWindow(Duration window) { this.window = window; }
        public Duration getResetTimeout() { return resetTimeout; }
        public void setResetTimeout(Duration resetTimeout) { this.resetTimeout = resetTimeout; }
    }

    @Override
    public boolean supports(Class<?> type) {
        return GatewayProperties.class.isAssignableFrom(type);
    }

    /**
     * The checks across settings: no request may cost more tokens than a limit of {@code /proxy} (or of a consumer)
     * holds; {@code RATE_LIMIT_KEY=consumer} needs a {@code CONSUMERS_FILE}, and that file must be valid.
     */
    @Override
    public void validate(Object target, Errors errors) {
        RequestCosts costs = RequestCosts.parse(rateLimit.getCosts());
        try {
            costs.requireWithin(dev.apigateway.routes.RouteSettingsRegistry.defaultPlan(rateLimit));
        } catch (IllegalArgumentException e) {
            errors.rejectValue("rateLimit.costs", "costAboveCapacity", e.getMessage());
        }
        if (consumersFile.isBlank()) {
            if (dev.apigateway.ratelimit.KeySetting.parse(rateLimit.getKey()).consumer()) {
                errors.rejectValue("rateLimit.key", "noConsumers", "consumer needs CONSUMERS_FILE, which is not set");
            }
            return;
        }
        try {
            dev.apigateway.ratelimit.RateLimitConfiguration.readConsumers(this);
        } catch (IllegalArgumentException e) {
            errors.rejectValue("consumersFile", "invalid", e.getMessage());
        }
    }

    public String getRedisUrl() { return redisUrl; }
    public void setRedisUrl(String redisUrl) {
        if (redisUrl != null && !redisUrl.isBlank() && !redisUrl.startsWith("redis://") && !redisUrl.startsWith("rediss://")) {
            throw new IllegalArgumentException("must start with redis:// or rediss://");
        }
        this.redisUrl = redisUrl == null ? "" : redisUrl.trim();
    }
    public UpstreamTargets getUpstreamUrl() { return upstreamUrl; }
    public void setUpstreamUrl(UpstreamTargets upstreamUrl) { this.upstreamUrl = upstreamUrl; }
    public Duration getUpstreamTimeout() { return upstreamTimeout; }
    public void setUpstreamTimeout(Duration upstreamTimeout) { this.upstreamTimeout = upstreamTimeout; }
    public Duration getUpstreamConnectTimeout() { return upstreamConnectTimeout; }
    public void setUpstreamConnectTimeout(Duration upstreamConnectTimeout) { this.upstreamConnectTimeout = upstreamConnectTimeout; }
    public int getUpstreamMaxConnections() { return upstreamMaxConnections; }
    public void setUpstreamMaxConnections(int upstreamMaxConnections) { this.upstreamMaxConnections = upstreamMaxConnections; }
    public long getMaxRequestBodyBytes() { return maxRequestBodyBytes; }
    public void setMaxRequestBodyBytes(long maxRequestBodyBytes) { this.maxRequestBodyBytes = maxRequestBodyBytes; }
    public int getMaxConcurrentRequestsPerRoute() { return maxConcurrentRequestsPerRoute; }
    public void setMaxConcurrentRequestsPerRoute(int max) { this.maxConcurrentRequestsPerRoute = max; }
    public Duration getRequestDeadline() { return requestDeadline; }
    public void setRequestDeadline(Duration requestDeadline) {
        if (requestDeadline != null && (requestDeadline.isNegative() || requestDeadline.isZero())) {
            throw new IllegalArgumentException("must be at least 1 second");
        }
        this.requestDeadline = requestDeadline;
    }
    public long getRequestBodyMinBytesPerSecond() { return requestBodyMinBytesPerSecond; }
    public void setRequestBodyMinBytesPerSecond(long rate) { this.requestBodyMinBytesPerSecond = rate; }
    public StateStoreMode getStateStore() { return stateStore; }
    public void setStateStore(StateStoreMode stateStore) { this.stateStore = stateStore; }
    public String getRoutesDir() { return routesDir; }
    public void setRoutesDir(String routesDir) { this.routesDir = routesDir; }
    public List<String> getRoutesAllowedComponents() { return routesAllowedComponents; }
    public void setRoutesAllowedComponents(List<String> components) {
        this.routesAllowedComponents = dev.apigateway.routes.RouteSandbox.requireComponents(components);
    }
    public List<String> getRoutesAllowedPlaceholders() { return routesAllowedPlaceholders; }
    public void setRoutesAllowedPlaceholders(List<String> placeholders) {
        this.routesAllowedPlaceholders = dev.apigateway.routes.RouteSandbox.requirePlaceholders(placeholders);
    }
    public List<String> getTrustedProxies() { return trustedProxies; }
    public void setTrustedProxies(List<String> trustedProxies) {
        dev.apigateway.proxy.TrustedProxies.of(trustedProxies); // refuses an entry that is not an IP or CIDR
        this.trustedProxies = trustedProxies;
    }
    public String getConsumersFile() { return consumersFile; }
    public void setConsumersFile(String consumersFile) { this.consumersFile = consumersFile == null ? "" : consumersFile.trim(); }
    public String getApiKeyHeader() { return apiKeyHeader; }
    public void setApiKeyHeader(String apiKeyHeader) { this.apiKeyHeader = apiKeyHeader; }
    public Duration getStoreTimeout() { return storeTimeout; }
    public void setStoreTimeout(Duration storeTimeout) { this.storeTimeout = storeTimeout; }
    public int getUpstreamEjectionConsecutiveFailures() { return upstreamEjectionConsecutiveFailures; }
    public void setUpstreamEjectionConsecutiveFailures(int n) { this.upstreamEjectionConsecutiveFailures = n; }
    public Duration getUpstreamEjectionTime() { return upstreamEjectionTime; }
    public void setUpstreamEjectionTime(Duration time) {
        if (time != null && (time.isNegative() || time.isZero())) {
            throw new IllegalArgumentException("must be at least 1 second");
        }
        this.upstreamEjectionTime = time;
    }
    public UpstreamHealthCheck getUpstreamHealthCheck() { return upstreamHealthCheck; }
    public RateLimit getRateLimit() { return rateLimit; }
    public CircuitBreaker getCircuitBreaker() { return circuitBreaker; }
}
