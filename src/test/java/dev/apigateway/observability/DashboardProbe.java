package dev.apigateway.observability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.apigateway.deploy.MonitoringQueries;
import dev.apigateway.support.PrometheusServer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs dashboard queries the way Grafana would: each query variable's {@code label_values(...)} asked of
 * Prometheus (it must have values), multi-value variables substituted as a regex of every value, Grafana's
 * {@code $__rate_interval} as for a 2 s scrape, and a range query over the test's time span.
 */
final class DashboardProbe {

    /** Grafana's $__rate_interval for a 2 s scrape interval is 4 scrapes; a little more is safe. */
    static final String RATE_INTERVAL = "10s";

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\s*\\)");

    private final PrometheusServer prometheus;
    private final Instant start;
    private final Map<String, String> variables = new LinkedHashMap<>();

    DashboardProbe(PrometheusServer prometheus, Instant start) throws Exception {
        this.prometheus = prometheus;
        this.start = start;
        for (MonitoringQueries.Variable v : MonitoringQueries.variables()) {
            Matcher m = LABEL_VALUES.matcher(v.query());
            if (!m.matches()) {
                throw new AssertionError("variable " + v.name() + " is not a label_values(selector, label) query: "
                        + v.query());
            }
            List<String> values = prometheus.labelValues(m.group(2), substitute(m.group(1).trim()), start);
            if (values.isEmpty()) {
                throw new AssertionError("variable " + v.name() + " has no values: " + substitute(v.query()));
            }
            // Grafana's regex format of a multi-value variable: (a|b), regex characters escaped
            variables.put(v.name(), "(" + String.join("|", values.stream()
                    .map(value -> value.replaceAll("([.+*?()\\[\\]{}|^$])", "\\\\\\\\$1")).toList()) + ")");
        }
    }

    Map<String, String> variables() {
        return variables;
    }

    String substitute(String expr) {
        String out = expr.replace("$__rate_interval", RATE_INTERVAL);
        for (Map.Entry<String, String> v : variables.entrySet()) {
            out = out.replace("${" + v.getKey() + "}", v.getValue()).replace("$" + v.getKey(), v.getValue());
        }
        return out;
    }

    /** The series of the query over the test's span, at the scrape interval. */
    JsonNode range(String expr) throws Exception {
        return prometheus.queryRange(substitute(expr), start, Instant.now(), Duration.ofSeconds(2));
    }

    /** The largest value any series of the query had over the test's span. */
    double maxOf(String expr) throws Exception {
        double max = Double.NEGATIVE_INFINITY;
        for (JsonNode series : range(expr)) {
            for (JsonNode point : series.path("values")) {
                max = Math.max(max, Double.parseDouble(point.get(1).asText()));
            }
        }
        return max;
    }
}
