package dev.apigateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The monitoring stack on a Docker host: reachable from that host only, no default password, no HTTP admin. */
class MonitoringComposeTest {

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
