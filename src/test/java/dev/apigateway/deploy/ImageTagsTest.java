package dev.apigateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every image is pinned to a release (never {@code :latest} or a bare major), the gateway's tag everywhere is one
 * CI pushes ({@code :<sha>} or {@code :<branch>}), and Dependabot proposes the updates.
 */
class ImageTagsTest {

    static final String GATEWAY_IMAGE = "ghcr.io/your-org/api-gateway";
    /** The branches the workflow's build-image job pushes ({@code :${{ github.ref_name }}}). */
    static final Set<String> PUSHED_BRANCHES = Set.of("main", "develop");
    /** A release: at least major.minor, optionally with a suffix (7.4.1-alpine, v2.55.1, 17.0.15_6-jre-noble). */
    private static final Pattern RELEASE = Pattern.compile("v?\\d+\\.\\d+[\\w.\\-]*");

    @Test
    void everyThirdPartyImageIsPinnedToARelease() {
        Map<String, String> images = new LinkedHashMap<>();
        for (String file : EnvironmentVariablesTest.COMPOSE_FILES) {
            ComposeFilesTest.services(file).forEach((name, value) -> {
                Map<String, Object> service = Repo.map(value);
                if (service.get("image") != null && service.get("build") == null) {
                    images.put(file + " " + name, String.valueOf(service.get("image")));
                }
            });
        }
        for (KubernetesManifests.Manifest m : KubernetesManifests.all()) {
            containers(m).forEach(c -> images.put(m.relative() + " " + c.getName(), c.getImage()));
        }
        for (String dockerfile : List.of("Dockerfile", "upstream-service/Dockerfile")) {
            for (String line : Repo.read(dockerfile).split("\n")) {
                String l = line.strip();
                if (l.startsWith("FROM ") && !l.contains("${")) {
                    images.put(dockerfile, l.split("\\s+")[1]);
                } else if (l.matches("ARG \\w+_IMAGE=.*")) {
                    images.put(dockerfile + " " + l.substring(4, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
                }
            }
        }
        assertThat(images).isNotEmpty();
        List<String> faults = new ArrayList<>();
        images.forEach((where, image) -> {
            String resolved = image.replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1");
            int colon = resolved.lastIndexOf(':');
            String name = colon > 0 ? resolved.substring(0, colon) : resolved;
            String tag = colon > 0 ? resolved.substring(colon + 1) : "";
            boolean ok = name.equals(GATEWAY_IMAGE) ? PUSHED_BRANCHES.contains(tag) || tag.matches("[0-9a-f]{40}")
                    : RELEASE.matcher(tag).matches();
            if (!ok) {
                faults.add(where + ": " + image);
            }
        });
        assertThat(faults).as("images not pinned to a release (or, for the gateway, to a tag CI pushes)").isEmpty();
    }

    @Test
    void theGatewayTagIsOneTheWorkflowPushesEverywhere() {
        String tags = String.valueOf(Repo.map(Repo.list(Repo.map(Repo.map(Repo.yaml(CiWorkflowTest.WORKFLOW)
                .get("jobs")).get("build-image")).get("steps")).stream().map(Repo::map)
                .filter(s -> String.valueOf(s.get("uses")).startsWith("docker/build-push-action@"))
                .findFirst().orElseThrow().get("with")).get("tags"));
        assertThat(tags).contains(":${{ github.sha }}").contains(":${{ github.ref_name }}").doesNotContain(":latest");

        String envTag = Stream.of(Repo.read(EnvironmentVariablesTest.ENV_EXAMPLE).split("\n"))
                .filter(l -> l.startsWith("GATEWAY_IMAGE_TAG=")).findFirst().orElseThrow().split("=", 2)[1];
        assertThat(envTag).isIn(PUSHED_BRANCHES);
        assertThat(String.valueOf(Repo.map(ComposeFilesTest.services(ComposeFilesTest.PROD).get("gateway"))
                .get("image"))).endsWith(":${GATEWAY_IMAGE_TAG:-" + envTag + "}");
        for (String overlay : List.of("k8s/overlays/staging", "k8s/overlays/production")) {
            Object newTag = Repo.map(Repo.list(Repo.yaml(overlay + "/kustomization.yaml").get("images")).get(0))
                    .get("newTag");
            assertThat(String.valueOf(newTag)).as(overlay).isIn(PUSHED_BRANCHES);
        }
        for (String file : List.of("README.md", "DEPLOYMENT.md", "docker-compose.prod.yml", ".env.example")) {
            assertThat(Repo.read(file)).as(file + " names no :latest of the gateway")
                    .doesNotContain("api-gateway:latest");
        }
    }

    @Test
    void dependabotUpdatesMavenActionsAndDockerImages() {
        List<String> ecosystems = Repo.list(Repo.yaml(".github/dependabot.yml").get("updates")).stream()
                .map(u -> String.valueOf(Repo.map(u).get("package-ecosystem"))).toList();
        assertThat(ecosystems).contains("maven", "github-actions", "docker", "docker-compose");
    }

    private static List<Container> containers(KubernetesManifests.Manifest m) {
        List<Container> all = new ArrayList<>();
        if (m.object() instanceof Deployment d && d.getSpec().getTemplate() != null
                && d.getSpec().getTemplate().getSpec() != null) {
            add(all, d.getSpec().getTemplate().getSpec().getContainers());
            add(all, d.getSpec().getTemplate().getSpec().getInitContainers());
        } else if (m.object() instanceof StatefulSet s) {
            add(all, s.getSpec().getTemplate().getSpec().getContainers());
            add(all, s.getSpec().getTemplate().getSpec().getInitContainers());
        }
        all.removeIf(c -> c.getImage() == null);
        return all;
    }

    private static void add(List<Container> all, List<Container> some) {
        if (some != null) {
            all.addAll(some);
        }
    }
}
