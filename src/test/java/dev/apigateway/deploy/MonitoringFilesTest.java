package dev.apigateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** monitoring/: Prometheus config, alert rules and Grafana files parse and fit each other and the app. */
class MonitoringFilesTest {

    static final String PROMETHEUS = "monitoring/prometheus.yml";
    static final String DATASOURCES = "monitoring/grafana/provisioning/datasources/prometheus.yml";
    static final String DASHBOARD_PROVIDERS = "monitoring/grafana/provisioning/dashboards/dashboards.yml";
    static final String ALERTMANAGER = "monitoring/alertmanager.yml";
    static final String ALERT_TESTS = "monitoring/alerts.test.yml";

    private final ApplicationSettings settings = ApplicationSettings.load();

    @Test
    void prometheusScrapesEveryGatewayOnItsActuatorAndRedisThroughTheExporter() {
        Map<String, Object> config = Repo.yaml(PROMETHEUS);
        assertThat(Repo.list(config.get("rule_files"))).containsExactly("alerts.yml");
        Map<String, Object> gateway = job(config, "api-gateway");
        assertThat(gateway.get("metrics_path")).isEqualTo("/actuator/prometheus");
        Map<String, Object> dns = Repo.map(Repo.list(gateway.get("dns_sd_configs")).get(0));
        assertThat(Repo.list(dns.get("names"))).containsExactly("gateway");
        assertThat(String.valueOf(dns.get("port"))).as("the actuator is on the management port")
                .isEqualTo(settings.defaultOf("MANAGEMENT_PORT"));
        assertThat(ComposeFilesTest.services(ComposeFilesTest.DEV)).containsKey("gateway");
        assertThat(ComposeFilesTest.services(ComposeFilesTest.PROD)).containsKey("gateway");

        Map<String, Object> redis = job(config, "redis");
        assertThat(Repo.list(Repo.map(Repo.list(redis.get("static_configs")).get(0)).get("targets")))
                .containsExactly("redis-exporter:9121");
        assertThat(ComposeFilesTest.services(ComposeFilesTest.MONITORING)).containsKeys("prometheus", "grafana", "redis-exporter");
    }

    @Test
    void everyAlertRuleIsCompleteAndItsRunbookUrlIsASectionOfOperations() {
        Set<String> anchors = new HashSet<>();
        for (String line : Repo.read("OPERATIONS.md").split("\n")) {
            if (line.matches("#{2,3} .*")) {
                // GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes
                anchors.add(line.replaceFirst("#+ ", "").trim().toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
            }
        }
        List<Map<String, Object>> rules = MonitoringQueries.alertRules();
        assertThat(rules).extracting(r -> r.get("alert")).contains(
                "GatewayCircuitBreakerOpen", "GatewayRateLimitRejectionsSpike", "GatewayStoreErrors",
                "GatewayRateLimitFallback", "GatewayUpstreamLatencyHigh", "GatewayHigh5xxRatio", "GatewayInstanceDown",
                "GatewayRouteFileRefused");
        assertThat(rules).allSatisfy(rule -> {
            assertThat(rule).containsKeys("alert", "expr", "for");
            assertThat(Repo.map(rule.get("labels"))).containsKey("severity");
            Map<String, Object> annotations = Repo.map(rule.get("annotations"));
            assertThat(annotations).containsKeys("summary", "description", "runbook_url");
            String alert = String.valueOf(rule.get("alert"));
            assertThat(String.valueOf(annotations.get("runbook_url")))
                    .isEqualTo("OPERATIONS.md#" + alert.toLowerCase(Locale.ROOT));
            assertThat(anchors).as("OPERATIONS.md has a section " + alert).contains(alert.toLowerCase(Locale.ROOT));
        });
    }

    @Test
    void prometheusSendsAlertsToTheAlertmanagerOfTheMonitoringStack() {
        Map<String, Object> alerting = Repo.map(Repo.yaml(PROMETHEUS).get("alerting"));
        Map<String, Object> manager = Repo.map(Repo.list(alerting.get("alertmanagers")).get(0));
        assertThat(Repo.list(Repo.map(Repo.list(manager.get("static_configs")).get(0)).get("targets")))
                .containsExactly("alertmanager:9093");
        Map<String, Object> service = Repo.map(ComposeFilesTest.services(ComposeFilesTest.MONITORING).get("alertmanager"));
        assertThat(ComposeFilesTest.volumes(service)).anySatisfy(v -> assertThat(v[0]).isEqualTo("./" + ALERTMANAGER));
        Map<String, Object> config = Repo.yaml(ALERTMANAGER);
        List<Object> receivers = Repo.list(config.get("receivers"));
        assertThat(receivers).extracting(r -> Repo.map(r).get("name"))
                .contains(Repo.map(config.get("route")).get("receiver"));
    }

    @Test
    void promtoolUnitTestsOfTheAlertRulesPass() throws Exception {
        accepts("prometheus", "monitoring/alerts.test.yml not run", "promtool", "test", "rules", ALERT_TESTS);
        // every alert has a test of its own
        String tests = Repo.read(ALERT_TESTS);
        assertThat(MonitoringQueries.alertRules()).allSatisfy(rule ->
                assertThat(tests).contains("alertname: " + rule.get("alert")));
    }

    @Test
    void amtoolAcceptsTheAlertmanagerConfig() throws Exception {
        accepts("prometheus-alertmanager", "alertmanager.yml not checked by it", "amtool", "check-config", ALERTMANAGER);
    }

    @Test
    void dashboardParsesAndUsesTheProvisionedDatasource() {
        String uid = String.valueOf(Repo.map(Repo.list(Repo.yaml(DATASOURCES).get("datasources")).get(0)).get("uid"));
        List<Path> dashboards = MonitoringQueries.dashboards();
        assertThat(dashboards).isNotEmpty();
        for (Path file : dashboards) {
            JsonNode dashboard = MonitoringQueries.readJson(file);
            assertThat(dashboard.path("uid").asText()).isNotBlank();
            List<String> datasourceUids = dashboard.findValues("datasource").stream()
                    .filter(JsonNode::isObject).map(d -> d.path("uid").asText()).distinct().toList();
            assertThat(datasourceUids).as(file + " datasources").containsOnly(uid);
            dashboard.path("panels").forEach(panel -> {
                if (!panel.path("type").asText().equals("row")) {
                    assertThat(panel.path("targets")).as(panel.path("title").asText() + " has queries").isNotEmpty();
                }
            });
        }
    }

    @Test
    void grafanaProvisioningPointsWhereComposeMountsTheFiles() {
        Map<String, Object> provider = Repo.map(Repo.list(Repo.yaml(DASHBOARD_PROVIDERS).get("providers")).get(0));
        String path = String.valueOf(Repo.map(provider.get("options")).get("path"));
        Map<String, Object> grafana = Repo.map(ComposeFilesTest.services(ComposeFilesTest.MONITORING).get("grafana"));
        assertThat(ComposeFilesTest.volumes(grafana)).anySatisfy(v -> {
            assertThat(v[0]).isEqualTo("./" + MonitoringQueries.DASHBOARDS);
            assertThat(v[1]).isEqualTo(path);
        });
        assertThat(ComposeFilesTest.volumes(grafana))
                .anySatisfy(v -> assertThat(v[0]).isEqualTo("./monitoring/grafana/provisioning"));
    }

    @Test
    void promtoolAcceptsTheConfigAndTheRules() throws Exception {
        String skipped = "prometheus.yml and alerts.yml not checked by it";
        accepts("prometheus", skipped, "promtool", "check", "config", PROMETHEUS);
        accepts("prometheus", skipped, "promtool", "check", "rules", MonitoringQueries.ALERTS);
    }

    /** The command exits 0; skipped (with what is not checked) where the tool is not installed. */
    private static void accepts(String debianPackage, String skipped, String... command) throws Exception {
        assumeTrue(Tools.onPath(command[0]),
                command[0] + " is not on PATH (apt-get install " + debianPackage + "): " + skipped);
        Tools.Result result = Tools.run(List.of(command), 120, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(String.join(" ", command) + "\n" + result.output()).isZero();
    }

    private static Map<String, Object> job(Map<String, Object> config, String name) {
        return Repo.list(config.get("scrape_configs")).stream().map(Repo::map)
                .filter(j -> name.equals(j.get("job_name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no scrape job " + name));
    }
}
