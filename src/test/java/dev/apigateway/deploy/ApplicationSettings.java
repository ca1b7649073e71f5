package dev.apigateway.deploy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The environment variables the application reads: every {@code ${NAME:default}} placeholder in
 * {@code src/main/resources/application.yml}, read at test time so settings added later count too.
 */
final class ApplicationSettings {

    static final String APPLICATION_YML = "src/main/resources/application.yml";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

    /** Spring Boot's relaxed binding turns these into properties; the JVM reads the last two. */
    private static final List<String> SPRING_PREFIXES = List.of("SPRING_", "MANAGEMENT_", "SERVER_", "LOGGING_");
    private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JAVA_OPTS");

    /** One placeholder name: its default (null when it has none) and the properties it feeds. */
    record Setting(String name, Set<String> defaults, Set<String> properties) {
        /** The default, when every use of the placeholder agrees on it. */
        String defaultValue() {
            if (defaults.size() != 1) {
                throw new IllegalStateException(name + " has different defaults in application.yml: " + defaults);
            }
            return defaults.iterator().next();
        }
    }

    private final Map<String, Setting> settings;

    private ApplicationSettings(Map<String, Setting> settings) {
        this.settings = settings;
    }

    static ApplicationSettings load() {
        Map<String, Setting> settings = new LinkedHashMap<>();
        walk("", Repo.yaml(APPLICATION_YML), settings);
        return new ApplicationSettings(settings);
    }

    Collection<Setting> all() {
        return settings.values();
    }

    Set<String> names() {
        return settings.keySet();
    }

    Setting get(String name) {
        Setting setting = settings.get(name);
        if (setting == null) {
            throw new IllegalArgumentException(name + " is not a placeholder in " + APPLICATION_YML);
        }
        return setting;
    }

    String defaultOf(String name) {
        return get(name).defaultValue();
    }

    /** A variable the application really reads: its own placeholder, a Spring relaxed name, or the JVM's. */
    boolean isRealSetting(String name) {
        return settings.containsKey(name)
                || JVM_VARIABLES.contains(name)
                || SPRING_PREFIXES.stream().anyMatch(name::startsWith);
    }

    private static void walk(String path, Object node, Map<String, Setting> settings) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> walk(path.isEmpty() ? key.toString() : path + "." + key, value, settings));
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(path + "[" + i + "]", list.get(i), settings);
            }
        } else if (node instanceof String text) {
            for (Placeholder placeholder : placeholders(text, false)) {
                Setting setting = settings.computeIfAbsent(placeholder.name(),
                        name -> new Setting(name, new LinkedHashSet<>(), new LinkedHashSet<>()));
                setting.defaults().add(placeholder.defaultValue());
                if (!placeholder.nested()) {
                    // A placeholder inside another's default only supplies that default.
                    setting.properties().add(path);
                }
            }
        }
    }

    /**
     * One {@code ${NAME:default}}: the default is everything after the first colon up to the
     * matching brace, nested placeholders included ({@code ${MANAGEMENT_PORT:${PORT:5000}}}), or
     * null without a colon. {@code nested}: it sits inside another placeholder's default.
     */
    record Placeholder(String name, String defaultValue, boolean nested) {
    }

    /** The environment-variable placeholders of a value, outermost first. */
    static List<Placeholder> placeholders(String text, boolean nested) {
        List<Placeholder> found = new ArrayList<>();
        int start = text.indexOf("${");
        while (start >= 0) {
            int depth = 0;
            int end = -1;
            for (int i = start; i < text.length(); i++) {
                if (text.startsWith("${", i)) {
                    depth++;
                    i++;
                } else if (text.charAt(i) == '}' && --depth == 0) {
                    end = i;
                    break;
                }
            }
            if (end < 0) {
                throw new IllegalArgumentException("unbalanced placeholder in: " + text);
            }
            String body = text.substring(start + 2, end);
            int colon = body.indexOf(':');
            String name = colon < 0 ? body : body.substring(0, colon);
            String defaultValue = colon < 0 ? null : body.substring(colon + 1);
            if (ENV_NAME.matcher(name).matches()) {
                found.add(new Placeholder(name, defaultValue, nested));
            }
            if (defaultValue != null) {
                found.addAll(placeholders(defaultValue, true));
            }
            start = text.indexOf("${", end + 1);
        }
        return found;
    }
}
