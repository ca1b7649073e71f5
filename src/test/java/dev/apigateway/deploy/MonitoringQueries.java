package dev.apigateway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of monitoring/: alert rules and Grafana dashboard queries, and the metric names they
 * use. A test against the running application checks that the gateway exports every name of
 * {@link #metricNames()}.
 */
public final class MonitoringQueries {

    public static final String ALERTS = "monitoring/alerts.yml";
    public static final String DASHBOARDS = "monitoring/grafana/dashboards";

    /** Series Prometheus makes itself (not scraped from anybody). */
    private static final Set<String> SYNTHETIC = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
            "scrape_samples_post_metric_relabeling", "scrape_series_added");
    /** Scraped from redis_exporter, not from the gateway. */
    private static final String EXPORTER_PREFIX = "redis_";

    private static final Set<String> KEYWORDS = Set.of(
            "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "and", "or", "unless", "offset", "start", "end", "atan2", "inf", "nan");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+|\\[\\[\\w+]]");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");

    private MonitoringQueries() {
    }

    /**
     * Every metric the alerts and dashboards query that the gateway itself must export: names as
     * written in the queries, which is how they appear on the sample lines of
     * {@code /actuator/prometheus} (a histogram's {@code _bucket}, {@code _sum}, {@code _count} kept;
     * see {@link #family(String)} for the {@code # TYPE} name). Leaves out Prometheus's own series
     * ({@code up}) and redis_exporter's ({@code redis_*}).
     */
    public static Set<String> metricNames() {
        Set<String> names = new TreeSet<>(allMetricNames());
        names.removeIf(name -> SYNTHETIC.contains(name) || name.startsWith(EXPORTER_PREFIX));
        return names;
    }

    /** Every metric name the alerts and dashboards query, whatever exports it. */
    public static Set<String> allMetricNames() {
        Set<String> names = new TreeSet<>();
        for (String expr : expressions()) {
            names.addAll(metricNames(expr));
        }
        return names;
    }

    /** Every PromQL expression: alert rule {@code expr}s, and the dashboards' {@code expr}s and variable queries. */
    public static List<String> expressions() {
        List<String> expressions = new ArrayList<>();
        for (Map<String, Object> rule : alertRules()) {
            expressions.add(String.valueOf(rule.get("expr")));
        }
        for (Path dashboard : dashboards()) {
            collectDashboardQueries(readJson(dashboard), expressions);
        }
        return expressions;
    }

    /** One query of a dashboard: a panel target's {@code expr}, or an annotation's (panel named "annotation: ..."). */
    public record PanelQuery(String dashboard, String panel, String expr) {
    }

    /** A dashboard's query variable and its {@code label_values(...)} query. */
    public record Variable(String dashboard, String name, String query) {
    }

    /** Every panel target (rows' nested panels included) and annotation query of every dashboard. */
    public static List<PanelQuery> panelQueries() {
        List<PanelQuery> out = new ArrayList<>();
        for (Path file : dashboards()) {
            JsonNode dashboard = readJson(file);
            String name = dashboard.path("title").asText();
            List<JsonNode> panels = new ArrayList<>();
            dashboard.path("panels").forEach(panel -> {
                panels.add(panel);
                panel.path("panels").forEach(panels::add);
            });
            for (JsonNode panel : panels) {
                panel.path("targets").forEach(t -> out.add(new PanelQuery(name, panel.path("title").asText(),
                        t.path("expr").asText())));
            }
            dashboard.path("annotations").path("list").forEach(a -> {
                if (a.hasNonNull("expr")) {
                    out.add(new PanelQuery(name, "annotation: " + a.path("name").asText(), a.path("expr").asText()));
                }
            });
        }
        return out;
    }

    /** Every query variable of every dashboard. */
    public static List<Variable> variables() {
        List<Variable> out = new ArrayList<>();
        for (Path file : dashboards()) {
            JsonNode dashboard = readJson(file);
            dashboard.path("templating").path("list").forEach(v -> {
                JsonNode query = v.path("query");
                out.add(new Variable(dashboard.path("title").asText(), v.path("name").asText(),
                        query.isObject() ? query.path("query").asText() : query.asText()));
            });
        }
        return out;
    }

    /** The rules of every group of {@link #ALERTS}, in order. */
    public static List<Map<String, Object>> alertRules() {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : Repo.list(Repo.yaml(ALERTS).get("groups"))) {
            Repo.list(Repo.map(group).get("rules")).forEach(rule -> rules.add(Repo.map(rule)));
        }
        return rules;
    }

    /** The metric names one PromQL expression selects. */
    public static Set<String> metricNames(String expr) {
        String text = STRING.matcher(expr).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher labelValues = LABEL_VALUES.matcher(text);
        if (labelValues.find()) {
            names.add(labelValues.group(1));
            return names;
        }
        if (text.contains("label_values(")) {
            return names; // label_values(label): a label name, no metric
        }
        text = GRAFANA_VARIABLE.matcher(text).replaceAll(" ");
        text = LABEL_MATCHERS.matcher(text).replaceAll(" ");
        text = RANGE.matcher(text).replaceAll(" ");
        text = GROUPING.matcher(text).replaceAll(" ");
        Matcher identifier = IDENTIFIER.matcher(text);
        while (identifier.find()) {
            String name = identifier.group(1);
            boolean call = identifier.group(2) != null;
            if (!call && !KEYWORDS.contains(name.toLowerCase())) {
                names.add(name);
            }
        }
        return names;
    }

    /** The metric family of a sample name, as on its {@code # TYPE} line: a histogram's suffixes dropped. */
    public static String family(String sampleName) {
        return sampleName.replaceFirst("_(bucket|sum|count)$", "");
    }

    static List<Path> dashboards() {
        try (var files = Files.list(Repo.path(DASHBOARDS))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + " is not valid JSON", e);
        }
    }

    /** Panel targets, nested row panels, annotations and query variables, wherever they sit. */
    private static void collectDashboardQueries(JsonNode node, List<String> expressions) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                JsonNode value = field.getValue();
                if (field.getKey().equals("expr") && value.isTextual()) {
                    expressions.add(value.asText());
                } else if (field.getKey().equals("query") && value.isTextual() && value.asText().contains("label_values(")) {
                    expressions.add(value.asText());
                } else {
                    collectDashboardQueries(value, expressions);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectDashboardQueries(child, expressions));
        }
    }
}
