package dev.apigateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * k8s/ at the edge: the management port is scraped by Prometheus and reached by nothing else, the pod has no API
 * token, only the ingress is believed about client addresses, and every kustomization renders.
 */
class KubernetesEdgeTest {

    static final String MONITORING = KubernetesManifests.CRD_FOLDER;
    static final String JOB = "api-gateway";

    private final ApplicationSettings settings = ApplicationSettings.load();
    private final Deployment deployment = KubernetesManifests.baseObject(Deployment.class, "api-gateway");
    private final PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    private final Container gateway = KubernetesManifests.gatewayContainer(deployment);
    private final ConfigMap config =
            KubernetesManifests.baseObject(ConfigMap.class, KubernetesManifests.GATEWAY_CONFIG_MAP);

    @Test
    void theManagementPortListensOnThePodForPrometheusWithTheAdminTokenFromASecret() {
        String management = settings.defaultOf("MANAGEMENT_PORT");
        assertThat(gateway.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                .contains(org.assertj.core.groups.Tuple.tuple("management", Integer.parseInt(management)));
        assertThat(config.getData()).containsEntry("MANAGEMENT_PORT", management)
                .containsEntry("MANAGEMENT_ADDRESS", "0.0.0.0");
        EnvVar token = gateway.getEnv().stream().filter(e -> e.getName().equals("ADMIN_TOKEN")).findFirst()
                .orElseThrow(() -> new AssertionError("ADMIN_TOKEN is not set for the gateway"));
        assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("gateway-admin");

        Service scraped = KubernetesManifests.baseObject(Service.class, "api-gateway-management");
        assertThat(scraped.getSpec().getClusterIP()).as("headless: every pod is scraped").isEqualTo("None");
        assertThat(scraped.getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getTargetPort()).isEqualTo(new IntOrString("management")));
        Service pub = KubernetesManifests.baseObject(Service.class, "api-gateway");
        assertThat(pub.getSpec().getPorts()).extracting(p -> p.getTargetPort().getStrVal()).containsExactly("http");
    }

    @Test
    void thePodMountsNoServiceAccountToken() {
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        ServiceAccount account = KubernetesManifests.baseObject(ServiceAccount.class, pod.getServiceAccountName());
        assertThat(account.getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void onlyTheIngressReachesTheProxyPortAndOnlyMonitoringTheManagementPort() {
        NetworkPolicy policy = KubernetesManifests.baseObject(NetworkPolicy.class, "api-gateway");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
        Map<String, List<String>> fromByPort = new java.util.TreeMap<>();
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            assertThat(rule.getFrom()).as("every rule names who").isNotEmpty();
            for (NetworkPolicyPort port : rule.getPorts()) {
                rule.getFrom().forEach(peer -> fromByPort.computeIfAbsent(port.getPort().getStrVal(),
                        k -> new ArrayList<>()).add(peer.getNamespaceSelector().getMatchLabels()
                        .get("kubernetes.io/metadata.name")));
            }
        }
        assertThat(fromByPort).containsOnly(Map.entry("http", List.of("ingress-nginx")),
                Map.entry("management", List.of("monitoring")));
    }

    @Test
    void onlyTheIngressControllersAddressesAreTrustedProxies() {
        String trusted = config.getData().get("TRUSTED_PROXIES");
        assertThat(trusted).isNotBlank();
        for (String cidr : trusted.split(",")) {
            int prefix = Integer.parseInt(cidr.trim().substring(cidr.trim().indexOf('/') + 1));
            assertThat(prefix).as(cidr + ": not the whole pod network").isGreaterThanOrEqualTo(16);
        }
    }

    @Test
    void theIngressExampleRoutesToThePublicServiceOnly() {
        List<Ingress> ingresses = KubernetesManifests.all().stream().map(KubernetesManifests.Manifest::object)
                .filter(Ingress.class::isInstance).map(Ingress.class::cast).toList();
        assertThat(ingresses).isNotEmpty().allSatisfy(ingress -> assertThat(ingress.getSpec().getRules())
                .flatExtracting(r -> r.getHttp().getPaths())
                .allSatisfy(p -> {
                    assertThat(p.getBackend().getService().getName()).isEqualTo("api-gateway");
                    assertThat(p.getBackend().getService().getPort().getName()).isEqualTo("http");
                }));
    }

    @Test
    void theServiceMonitorScrapesTheManagementPortUnderTheJobTheDashboardAndAlertsSelect() {
        Map<String, Object> monitor = Repo.yaml(MONITORING + "/servicemonitor.yaml");
        Map<String, Object> spec = Repo.map(monitor.get("spec"));
        Service scraped = KubernetesManifests.baseObject(Service.class, "api-gateway-management");
        assertThat(scraped.getMetadata().getLabels())
                .containsAllEntriesOf(stringMap(Repo.map(spec.get("selector")).get("matchLabels")));
        assertThat(scraped.getMetadata().getLabels()).containsEntry(String.valueOf(spec.get("jobLabel")), JOB);
        Map<String, Object> endpoint = Repo.map(Repo.list(spec.get("endpoints")).get(0));
        assertThat(endpoint).containsEntry("port", "management").containsEntry("path", "/actuator/prometheus");

        assertThat(Repo.read("monitoring/grafana/dashboards/api-gateway.json")).contains("job=\\\"" + JOB + "\\\"");
        assertThat(Repo.read(MonitoringQueries.ALERTS)).contains("job=\"" + JOB + "\"");
        assertThat(Repo.read(MonitoringFilesTest.PROMETHEUS)).contains("job_name: " + JOB);
    }

    @Test
    void thePrometheusRuleAndTheDashboardConfigMapAreTheRenderedCopiesOfMonitoring() {
        String fix = ": run deploy/render-k8s-monitoring.sh after changing monitoring/";
        Map<String, Object> rule = Repo.yaml(MONITORING + "/prometheusrule.yaml");
        assertThat(rule).containsEntry("kind", "PrometheusRule");
        assertThat(rule.get("spec")).as("PrometheusRule spec = monitoring/alerts.yml" + fix)
                .isEqualTo(Repo.yaml(MonitoringQueries.ALERTS));

        Map<String, Object> dashboards = Repo.yaml(MONITORING + "/dashboard-configmap.yaml");
        assertThat(stringMap(Repo.map(dashboards.get("metadata")).get("labels"))).containsEntry("grafana_dashboard", "1");
        String json = String.valueOf(Repo.map(dashboards.get("data")).get("api-gateway.json"));
        assertThat(json.strip()).as("dashboard ConfigMap = the dashboard JSON" + fix)
                .isEqualTo(Repo.read("monitoring/grafana/dashboards/api-gateway.json").strip()
                        .replaceAll("[ \\t]+\\n", "\n"));
        assertThat(Repo.list(Repo.yaml(MONITORING + "/kustomization.yaml").get("resources")))
                .containsExactlyInAnyOrder("servicemonitor.yaml", "prometheusrule.yaml", "dashboard-configmap.yaml");
    }

    /** kubectl's built-in kustomize, or a kustomize binary; the rendered objects must parse into the model. */
    @Test
    void everyKustomizationRendersWithKustomize() throws Exception {
        List<String> kustomize = Tools.onPath("kustomize") ? List.of("kustomize", "build")
                : Tools.onPath("kubectl") ? List.of("kubectl", "kustomize") : null;
        assumeTrue(kustomize != null, "neither kustomize nor kubectl on PATH: kustomizations not rendered");
        for (String dir : List.of(KubernetesManifests.BASE, "k8s/overlays/staging", "k8s/overlays/production",
                MONITORING)) {
            List<String> command = new ArrayList<>(kustomize);
            command.add(dir);
            Tools.Result result = Tools.run(command, 60, TimeUnit.SECONDS);
            assertThat(result.exitCode()).as(dir + ": " + result.output()).isZero();
            List<String> kinds = new ArrayList<>();
            for (Object doc : Repo.yaml().loadAll(result.output())) {
                Map<String, Object> object = Repo.map(doc);
                kinds.add(String.valueOf(object.get("kind")));
                if (!String.valueOf(object.get("apiVersion")).startsWith("monitoring.coreos.com/")) {
                    KubernetesManifests.typed(Repo.path(dir), object);
                }
            }
            if (dir.equals(MONITORING)) {
                assertThat(kinds).containsExactlyInAnyOrder("ServiceMonitor", "PrometheusRule", "ConfigMap");
            } else {
                assertThat(kinds).contains("Deployment", "NetworkPolicy", "ServiceAccount");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(Object value) {
        return (Map<String, String>) (Map<?, ?>) Repo.map(value);
    }
}
