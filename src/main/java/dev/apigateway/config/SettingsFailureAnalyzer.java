package dev.apigateway.config;

import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.yaml.snakeyaml.Yaml;

/**
 * A setting that does not bind or validate stops the start with one line naming the environment variable, the
 * Spring property and the value, e.g.
 * {@code Invalid setting RATE_LIMIT_CAPACITY (gateway.rate-limit.capacity) = '-1': must be greater than or equal to 1}.
 */
public class SettingsFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

    private final Environment environment;

    public SettingsFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    private static final Pattern NO_ENUM = Pattern.compile("No enum constant ([\\w.]+)\\.[^.]*$");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::.*)?}");

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        String property = cause.getProperty() != null ? cause.getProperty().getName().toString() : cause.getName().toString();
        Object value = cause.getProperty() != null ? cause.getProperty().getValue() : null;
        String reason = rootMessage(cause);
        if (cause.getCause() instanceof BindValidationException validation) {
            List<ObjectError> errors = validation.getValidationErrors().getAllErrors();
            if (!errors.isEmpty()) {
                ObjectError error = errors.get(0);
                if (error instanceof FieldError field) {
                    property = validation.getValidationErrors().getName() + "." + kebab(field.getField());
                    value = field.getRejectedValue();
                }
                reason = error.getDefaultMessage();
            }
        }
        String env = environmentVariables().get(property);
        if (value instanceof String text && text.contains("${")) {
            value = environment.resolvePlaceholders(text);
        }
        reason = friendlier(reason);
        String name = env != null ? env + " (" + property + ")" : property;
        String line = "Invalid setting " + name + " = '" + value + "': " + reason;
        return new FailureAnalysis(line, "Fix " + (env != null ? env : property) + " and start again; CONFIG.md lists every setting.", cause);
    }

    private static String friendlier(String reason) {
        Matcher m = NO_ENUM.matcher(reason == null ? "" : reason);
        if (m.find()) {
            try {
                Object[] constants = Class.forName(m.group(1).replaceAll("\\.([A-Z][A-Za-z]*)$", "\\$$1"))
                        .getEnumConstants();
                StringBuilder sb = new StringBuilder("must be one of");
                for (int i = 0; i < constants.length; i++) {
                    sb.append(i == 0 ? " " : ", ").append(constants[i].toString().toLowerCase(java.util.Locale.ROOT));
                }
                return sb.toString();
            } catch (ClassNotFoundException e) {
                return reason;
            }
        }
        return reason;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage();
    }

    private static String kebab(String field) {
        StringBuilder sb = new StringBuilder();
        for (char ch : field.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                sb.append('-').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** Spring property name to the environment variable {@code application.yml} binds it from. */
    static Map<String, String> environmentVariables() {
        Map<String, String> names = new HashMap<>();
        try (InputStream in = new ClassPathResource("application.yml").getInputStream()) {
            Object tree = new Yaml().load(in);
            collect("", tree, names);
        } catch (Exception e) {
            // Without the table the message still names the Spring property.
        }
        return names;
    }

    private static void collect(String prefix, Object node, Map<String, String> names) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collect(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, names));
        } else if (node instanceof String s) {
            Matcher m = PLACEHOLDER.matcher(s);
            if (m.matches()) {
                names.put(prefix, m.group(1));
            }
        }
    }
}
