package dev.apigateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** k8s/: typed manifests with what a safe rolling deployment of the gateway needs. */
class KubernetesManifestsTest {

    static final String DEPLOYMENT = "api-gateway";
    static final String ROUTES_CONFIG_MAP = "gateway-routes";

    private final ApplicationSettings settings = ApplicationSettings.load();
    private final Deployment deployment = KubernetesManifests.baseObject(Deployment.class, DEPLOYMENT);
    private final PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    private final Container gateway = KubernetesManifests.gatewayContainer(deployment);

    @Test
    void everyManifestParsesIntoTypedObjectsWithoutUnknownFields() {
        // all() fails on an unknown kind, a wrong apiVersion or a field the model does not have.
        List<KubernetesManifests.Manifest> manifests = KubernetesManifests.all();
        assertThat(manifests).extracting(m -> m.object().getKind())
                .contains("Namespace", "ConfigMap", "Secret", "Deployment", "Service",
                        "HorizontalPodAutoscaler", "PodDisruptionBudget", "StatefulSet");
        assertThat(manifests).allSatisfy(m -> assertThat(m.object().getMetadata().getName())
                .as(m.relative() + " has a name").isNotBlank());
    }

    @Test
    void deploymentRunsThreeReplicasOnThePortTheApplicationListensOn() {
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(gateway.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                .contains(org.assertj.core.groups.Tuple.tuple("http", port()));
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
                .as("a rollout never drops below the wanted replicas").isEqualTo(new IntOrString(0));
    }

    @Test
    void probesHitHealthAndReadinessOnTheContainerPort() {
        assertProbe(gateway.getLivenessProbe(), "/health");
        assertProbe(gateway.getReadinessProbe(), "/health/readiness");
        assertThat(gateway.getStartupProbe()).as("startupProbe").isNotNull();
        assertProbe(gateway.getStartupProbe(), "/health");
    }

    @Test
    void requestsAndLimitsAreSet() {
        assertThat(gateway.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(gateway.getResources().getLimits()).containsKeys("cpu", "memory");
    }

    @Test
    void runsNonRootReadOnlyWithoutCapabilitiesAndWritableTmp() {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).as("the image's user (Dockerfile USER)")
                .isEqualTo(DockerfileTest.imageUid());
        assertThat(gateway.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(gateway.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(gateway.getSecurityContext().getCapabilities().getDrop()).contains("ALL");
        VolumeMount tmp = mount("/tmp").orElseThrow(() -> new AssertionError("nothing mounted at /tmp"));
        assertThat(volume(tmp.getName()).getEmptyDir()).as("/tmp is an emptyDir").isNotNull();
    }

    @Test
    void shutdownIsGracefulPreStopPauseThenDrainWithinTheGracePeriod() {
        assertThat(gateway.getLifecycle().getPreStop()).as("preStop").isNotNull();
        List<String> command = gateway.getLifecycle().getPreStop().getExec().getCommand();
        assertThat(command.get(0)).isEqualTo("sleep");
        long preStop = Long.parseLong(command.get(1));
        long drain = Long.parseLong(settings.defaultOf("SHUTDOWN_TIMEOUT_SECONDS"));
        assertThat(pod.getTerminationGracePeriodSeconds()).as("grace > preStop + SHUTDOWN_TIMEOUT_SECONDS")
                .isGreaterThan(preStop + drain);
    }

    @Test
    void routesConfigMapIsMountedAsADirectoryAtRoutesDir() {
        String routesDir = environmentValue("ROUTES_DIR");
        VolumeMount routes = mount(routesDir)
                .orElseThrow(() -> new AssertionError("nothing mounted at ROUTES_DIR " + routesDir));
        assertThat(routes.getSubPath()).as("no subPath: ConfigMap updates must reach the pod").isNull();
        assertThat(routes.getSubPathExpr()).isNull();
        assertThat(volume(routes.getName()).getConfigMap().getName()).isEqualTo(ROUTES_CONFIG_MAP);

        ConfigMap routeFiles = KubernetesManifests.baseObject(ConfigMap.class, ROUTES_CONFIG_MAP);
        assertThat(routeFiles.getData()).isNotEmpty();
        for (Map.Entry<String, String> file : routeFiles.getData().entrySet()) {
            assertThat(file.getKey()).as("route files are *.yaml").endsWith(".yaml");
            Object parsed = Repo.yaml().load(file.getValue());
            assertThat(parsed).as(file.getKey() + " is a YAML list of routes").isInstanceOf(List.class);
        }
    }

    @Test
    void configMapsAndSecretsTheDeploymentUsesExist() {
        for (EnvFromSource from : gateway.getEnvFrom()) {
            KubernetesManifests.baseObject(ConfigMap.class, from.getConfigMapRef().getName());
        }
        for (EnvVar env : gateway.getEnv()) {
            if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                Secret secret = KubernetesManifests.baseObject(Secret.class, env.getValueFrom().getSecretKeyRef().getName());
                assertThat(secret.getStringData()).as(env.getName()).containsKey(env.getValueFrom().getSecretKeyRef().getKey());
            }
        }
    }

    @Test
    void podTemplateCarriesPrometheusScrapeAnnotations() {
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/path", "/actuator/prometheus")
                .containsEntry("prometheus.io/port", settings.defaultOf("MANAGEMENT_PORT"));
    }

    @Test
    void serviceTargetsTheContainerPortAndSelectsThePods() {
        Service service = KubernetesManifests.baseObject(Service.class, DEPLOYMENT);
        assertThat(service.getSpec().getSelector()).isNotEmpty();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        ServicePort servicePort = service.getSpec().getPorts().get(0);
        assertThat(containerPort(servicePort.getTargetPort())).isEqualTo(port());
    }

    @Test
    void autoscalerRangesThreeToTenOnCpu() {
        HorizontalPodAutoscaler hpa = KubernetesManifests.baseObject(HorizontalPodAutoscaler.class, DEPLOYMENT);
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(DEPLOYMENT);
        MetricSpec cpu = hpa.getSpec().getMetrics().get(0);
        assertThat(cpu.getResource().getName()).isEqualTo("cpu");
        assertThat(cpu.getResource().getTarget().getAverageUtilization()).isEqualTo(70);
    }

    @Test
    void disruptionBudgetKeepsTwoGatewaysUp() {
        PodDisruptionBudget pdb = KubernetesManifests.baseObject(PodDisruptionBudget.class, DEPLOYMENT);
        assertThat(pdb.getSpec().getMinAvailable()).isEqualTo(new IntOrString(2));
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void kustomizationsListFilesThatExistAndEveryBaseManifest() {
        List<String> faults = new ArrayList<>();
        for (Path kustomization : KubernetesManifests.yamlFiles(KubernetesManifests.K8S)) {
            if (!kustomization.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            Map<String, Object> k = Repo.yaml(Repo.root().relativize(kustomization).toString());
            Stream.concat(Repo.list(k.get("resources")).stream(),
                            Repo.list(k.get("patches")).stream().map(p -> Repo.map(p).get("path")))
                    .filter(Objects::nonNull)
                    .map(entry -> kustomization.getParent().resolve(entry.toString()).normalize())
                    .filter(target -> !Files.exists(target))
                    .forEach(target -> faults.add(kustomization + " names missing " + target));
        }
        assertThat(faults).isEmpty();

        List<Object> baseResources = Repo.list(Repo.yaml(KubernetesManifests.BASE + "/kustomization.yaml").get("resources"));
        assertThat(KubernetesManifests.base()).allSatisfy(m -> assertThat(baseResources)
                .as("k8s/base/kustomization.yaml lists " + m.relative())
                .contains(m.file().getFileName().toString()));
        assertThat(Repo.path("k8s/overlays/staging/kustomization.yaml")).exists();
        assertThat(Repo.path("k8s/overlays/production/kustomization.yaml")).exists();
    }

    @Test
    void overlaysBuildWithKustomizeWhereKubectlIsInstalled() throws Exception {
        assumeTrue(Tools.onPath("kubectl"), "kubectl is not on PATH: overlays not built (kubectl kustomize)");
        for (String overlay : List.of("k8s/overlays/staging", "k8s/overlays/production")) {
            Tools.Result result = Tools.run(List.of("kubectl", "kustomize", overlay), 60, TimeUnit.SECONDS);
            assertThat(result.exitCode()).as(overlay + ": " + result.output()).isZero();
            List<Object> docs = new ArrayList<>();
            Repo.yaml().loadAll(result.output()).forEach(docs::add);
            for (Object doc : docs) {
                KubernetesManifests.typed(Repo.path(overlay), Repo.map(doc));
            }
        }
    }

    private int port() {
        return Integer.parseInt(settings.defaultOf("PORT"));
    }

    private void assertProbe(Probe probe, String path) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(containerPort(probe.getHttpGet().getPort())).as(path + " probe port").isEqualTo(port());
    }

    private int containerPort(IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return gateway.getPorts().stream()
                .filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
    }

    private Optional<VolumeMount> mount(String path) {
        return gateway.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst();
    }

    private Volume volume(String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    /** A variable's value in the gateway container: its env first, then the gateway ConfigMap. */
    private String environmentValue(String name) {
        return gateway.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue)
                .filter(Objects::nonNull).findFirst()
                .or(() -> Optional.ofNullable(KubernetesManifests
                        .baseObject(ConfigMap.class, KubernetesManifests.GATEWAY_CONFIG_MAP).getData().get(name)))
                .orElseThrow(() -> new AssertionError(name + " is not set for the gateway container"));
    }
}
