package dev.apigateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The monitoring stack on a Docker host: reachable from that host only, no default password, no HTTP admin. */
class MonitoringComposeTest {

    static final String TEMPO = "monitoring/tempo.yml";

    private final Map<String, Object> services = ComposeFilesTest.services(ComposeFilesTest.MONITORING);

    @Test
    void prometheusAndGrafanaListenOnTheHostsLoopbackOnly() {
        for (String name : List.of("prometheus", "grafana")) {
            assertThat(Repo.list(Repo.map(services.get(name)).get("ports"))).as(name).isNotEmpty()
                    .allSatisfy(p -> assertThat(String.valueOf(p)).as(name).startsWith("127.0.0.1:"));
        }
        assertThat(Repo.map(services.get("redis-exporter")).get("ports")).isNull();
    }

    @Test
    void grafanaHasNoAdminPasswordFallbackAndPrometheusNoLifecycleOrAdminApi() {
        Map<String, Object> grafana = ComposeFilesTest.environment(Repo.map(services.get("grafana")));
        assertThat(String.valueOf(grafana.get("GF_SECURITY_ADMIN_PASSWORD")))
                .as("Compose refuses to start without a password").startsWith("${GRAFANA_ADMIN_PASSWORD:?");
        assertThat(grafana).containsEntry("GF_USERS_ALLOW_SIGN_UP", "false")
                .containsEntry("GF_AUTH_ANONYMOUS_ENABLED", "false");
        List<Object> command = Repo.list(Repo.map(services.get("prometheus")).get("command"));
        assertThat(command).map(String::valueOf)
                .noneMatch(c -> c.startsWith("--web.enable-lifecycle") || c.startsWith("--web.enable-admin-api"));
    }

    @Test
    void tempoReceivesTheGatewaysSpansOnTheComposeNetworkOnly() {
        Map<String, Object> tempo = Repo.map(services.get("tempo"));
        assertThat(String.valueOf(tempo.get("image"))).startsWith("grafana/tempo:2.");
        assertThat(tempo.get("ports")).as("no port on the host").isNull();
        assertThat(ComposeFilesTest.volumes(tempo)).anySatisfy(v -> assertThat(v[0]).isEqualTo("./" + TEMPO));
        Map<String, Object> otlp = Repo.map(Repo.map(Repo.map(Repo.map(Repo.yaml(TEMPO).get("distributor"))
                .get("receivers")).get("otlp")).get("protocols"));
        assertThat(String.valueOf(Repo.map(otlp.get("http")).get("endpoint"))).isEqualTo("0.0.0.0:4318");
        assertThat(Repo.map(Repo.map(services.get("grafana")).get("depends_on"))).containsKey("tempo");
        for (String file : List.of(ComposeFilesTest.DEV, ComposeFilesTest.PROD)) {
            Map<String, Object> gateway = ComposeFilesTest.environment(
                    Repo.map(ComposeFilesTest.services(file).get("gateway")));
            assertThat(String.valueOf(gateway.get("OTEL_EXPORTER_OTLP_ENDPOINT"))).as(file + ": off unless set")
                    .isEqualTo("${OTEL_EXPORTER_OTLP_ENDPOINT:-}");
        }
        assertThat(Repo.read(EnvironmentVariablesTest.ENV_EXAMPLE)).contains("http://tempo:4318");
    }

    @Test
    void prometheusKeepsExemplarsAndGrafanaOpensTheirTracesInTempo() {
        List<Object> command = Repo.list(Repo.map(services.get("prometheus")).get("command"));
        assertThat(command).map(String::valueOf).contains("--enable-feature=exemplar-storage");
        List<Map<String, Object>> datasources = Repo.list(Repo.yaml(MonitoringFilesTest.DATASOURCES).get("datasources"))
                .stream().map(Repo::map).toList();
        Map<String, Object> tempo = datasources.stream().filter(d -> "tempo".equals(d.get("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("no Tempo datasource"));
        assertThat(tempo.get("url")).isEqualTo("http://tempo:3200");
        Map<String, Object> prometheus = datasources.get(0);
        Map<String, Object> destination = Repo.map(Repo.list(Repo.map(prometheus.get("jsonData"))
                .get("exemplarTraceIdDestinations")).get(0));
        assertThat(destination).containsEntry("name", "trace_id") // the label Micrometer's exemplars carry
                .containsEntry("datasourceUid", tempo.get("uid"));
        for (java.nio.file.Path file : MonitoringQueries.dashboards()) {
            com.fasterxml.jackson.databind.JsonNode dashboard = MonitoringQueries.readJson(file);
            List<com.fasterxml.jackson.databind.JsonNode> latency = new java.util.ArrayList<>();
            dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(target -> {
                if (target.path("expr").asText().contains("gateway_upstream_duration_seconds_bucket")) {
                    latency.add(target);
                }
            }));
            assertThat(latency).as(file + ": upstream latency queries").isNotEmpty()
                    .allSatisfy(t -> assertThat(t.path("exemplar").asBoolean()).as(t.path("expr").asText()).isTrue());
        }
    }

    @Test
    void theDevelopmentStackPublishesRedisAndTheManagementPortOnLoopbackOnly() {
        Map<String, Object> dev = ComposeFilesTest.services(ComposeFilesTest.DEV);
        assertThat(Repo.list(Repo.map(dev.get("redis")).get("ports")))
                .allSatisfy(p -> assertThat(String.valueOf(p)).startsWith("127.0.0.1:"));
        Map<String, Object> prod = ComposeFilesTest.environment(
                Repo.map(ComposeFilesTest.services(ComposeFilesTest.PROD).get("gateway")));
        assertThat(String.valueOf(prod.get("ADMIN_TOKEN"))).as("production needs the admin token")
                .startsWith("${ADMIN_TOKEN:?");
    }
}
