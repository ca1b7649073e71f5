package dev.apigateway.store;

import dev.apigateway.config.GatewayProperties.StateStoreMode;
import java.util.Locale;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Where the gateway keeps shared state, decided once from the environment before any bean exists.
 * {@code STATE_STORE=redis|memory} decides directly; {@code auto} (the default) means Redis when
 * {@code REDIS_HOST} or {@code REDIS_URL} is set, or Spring Data Redis's url, Sentinel or Cluster
 * properties are, and memory otherwise.
 *
 * @param store  the store used
 * @param reason why, for the start-up log line
 */
public record StateStoreSelection(Store store, String reason) {

    public enum Store { REDIS, MEMORY }

    public static final String MODE_PROPERTY = "gateway.state-store";

    private static final String[] REDIS_HINTS = {
        "REDIS_HOST", "REDIS_URL",
        "spring.data.redis.url", "spring.data.redis.sentinel.master", "spring.data.redis.cluster.nodes"};

    /** Lists that may be given element by element (a YAML list, {@code nodes[0]=...}): no plain property then. */
    private static final String[] REDIS_LIST_HINTS = {
        "spring.data.redis.cluster.nodes", "spring.data.redis.sentinel.nodes"};

    public static StateStoreSelection resolve(Environment env) {
        StateStoreMode mode = mode(env);
        if (mode == StateStoreMode.REDIS) {
            return new StateStoreSelection(Store.REDIS, "STATE_STORE=redis");
        }
        if (mode == StateStoreMode.MEMORY) {
            return new StateStoreSelection(Store.MEMORY, "STATE_STORE=memory");
        }
        for (String hint : REDIS_HINTS) {
            if (StringUtils.hasText(env.getProperty(hint))) {
                return new StateStoreSelection(Store.REDIS, "STATE_STORE=auto and " + hint + " is set");
            }
        }
        for (String hint : REDIS_LIST_HINTS) {
            if (listSet(env, hint)) {
                return new StateStoreSelection(Store.REDIS, "STATE_STORE=auto and " + hint + " is set");
            }
        }
        return new StateStoreSelection(Store.MEMORY, "STATE_STORE=auto and neither REDIS_HOST nor REDIS_URL is set");
    }

    public boolean redis() {
        return store == Store.REDIS;
    }

    private static boolean listSet(Environment env, String name) {
        if (!(env instanceof ConfigurableEnvironment)) {
            return false;
        }
        return Binder.get(env).bind(name, Bindable.listOf(String.class))
                .map(values -> values.stream().anyMatch(StringUtils::hasText)).orElse(false);
    }

    private static StateStoreMode mode(Environment env) {
        String value = env.getProperty(MODE_PROPERTY, "auto").trim();
        if (value.isEmpty()) {
            return StateStoreMode.AUTO;
        }
        try {
            return StateStoreMode.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            // GatewayProperties refuses the value at start with a message naming the setting
            return StateStoreMode.AUTO;
        }
    }
}
