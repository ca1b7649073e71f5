package dev.apigateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** .github/workflows/ci.yml parses, tests with the README's command, and deploys as described. */
class CiWorkflowTest {

    static final String WORKFLOW = ".github/workflows/ci.yml";
    private static final Pattern README_TEST_COMMAND = Pattern.compile("(\\./mvnw[^`\\n]*\\bverify\\b[^`\\n]*)");

    private final Map<String, Object> jobs = Repo.map(Repo.yaml(WORKFLOW).get("jobs"));

    @Test
    void testJobRunsTheMavenWrapperWithVerifyOnJava25() {
        Map<String, Object> test = Repo.map(jobs.get("test"));
        assertThat(runCommands(test)).anySatisfy(command -> assertThat(command).startsWith("./mvnw").contains(" verify"));
        assertThat(steps(test)).anySatisfy(step -> {
            assertThat(String.valueOf(step.get("uses"))).startsWith("actions/setup-java@");
            assertThat(Repo.map(step.get("with"))).containsEntry("java-version", "25")
                    .containsEntry("distribution", "temurin").containsEntry("cache", "maven");
        });
    }

    @Test
    void testJobRunsTheReadmesTestCommand() {
        // README.md belongs to the main engineer; where it says `./mvnw verify`, the workflow must run it.
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(Repo.path("README.md")), "no README.md yet");
        Matcher readme = README_TEST_COMMAND.matcher(Repo.read("README.md"));
        org.junit.jupiter.api.Assumptions.assumeTrue(readme.find(), "README.md names no ./mvnw ... verify command yet");
        List<String> readmeWords = Arrays.asList(readme.group(1).trim().split("\\s+"));
        assertThat(runCommands(Repo.map(jobs.get("test"))))
                .as("a step runs the README's command (batch mode -B may be added)")
                .anySatisfy(command -> assertThat(Arrays.asList(command.split("\\s+"))).containsAll(readmeWords));
    }

    @Test
    void testJobInstallsPrometheusAndRunsTheAlertRuleUnitTests() {
        // with the binary installed, MonitoringEndToEndTest runs there instead of skipping
        List<String> commands = runCommands(Repo.map(jobs.get("test")));
        assertThat(commands).anySatisfy(c -> assertThat(c).contains("apt-get install").contains("prometheus"));
        assertThat(commands).contains("promtool test rules " + MonitoringFilesTest.ALERT_TESTS);
    }

    @Test
    void imageIsBuiltAndPushedToGhcrOnDevelopAndMainTaggedWithTheSha() {
        Map<String, Object> build = Repo.map(jobs.get("build-image"));
        assertThat(String.valueOf(build.get("if"))).contains("refs/heads/develop").contains("refs/heads/main");
        assertThat(steps(build)).anySatisfy(step -> {
            assertThat(String.valueOf(step.get("uses"))).startsWith("docker/build-push-action@");
            assertThat(String.valueOf(Repo.map(step.get("with")).get("tags"))).contains("${{ github.sha }}");
        });
        assertThat(Repo.read(WORKFLOW)).contains("ghcr.io/");
    }

    @Test
    void everyPullRequestBuildsTheImageStartsItWithComposeAndSmokeTestsItBeforeAnythingIsPushed() {
        Map<String, Object> image = Repo.map(jobs.get("image"));
        assertThat(image.get("if")).as("on every push and pull request").isNull();
        assertThat(steps(image)).anySatisfy(step -> {
            assertThat(String.valueOf(step.get("uses"))).startsWith("docker/build-push-action@");
            Map<String, Object> with = Repo.map(step.get("with"));
            assertThat(with).containsEntry("push", false).containsEntry("load", true);
            // the tag docker-compose.yml runs, so Compose starts the image just built
            assertThat(String.valueOf(with.get("tags")))
                    .isEqualTo(Repo.map(ComposeFilesTest.services(ComposeFilesTest.DEV).get("gateway")).get("image"));
        });
        List<String> run = runCommands(image);
        assertThat(run).anySatisfy(c -> assertThat(c).startsWith("docker compose up").contains("--no-build")
                .contains("--wait"));
        assertThat(run).anySatisfy(c -> assertThat(c).startsWith("deploy/smoke-checks.sh 5000 8081 100"));
        assertThat(Repo.path("deploy/smoke-checks.sh")).isExecutable();
        assertThat(Repo.list(Repo.map(jobs.get("build-image")).get("needs"))).contains("test", "image");
    }

    @Test
    void ciRunSmokeTestsTheImageWithPodmanOnlyWherePodmanIsInstalled() {
        String ci = Repo.read(".ci/run");
        assertThat(ci).contains("./mvnw -B verify").contains("command -v podman").contains("deploy/image-smoke.sh");
        assertThat(Repo.path("deploy/image-smoke.sh")).isExecutable();
        assertThat(Repo.read("deploy/image-smoke.sh")).contains("deploy/smoke-checks.sh");
    }

    @Test
    void developDeploysToStagingAndMainToProductionBehindItsEnvironment() {
        assertDeploys("deploy-staging", "refs/heads/develop", "staging");
        assertDeploys("deploy-production", "refs/heads/main", "production");
    }

    private void assertDeploys(String job, String ref, String environment) {
        Map<String, Object> deploy = Repo.map(jobs.get(job));
        assertThat(String.valueOf(deploy.get("if"))).contains(ref);
        Object env = deploy.get("environment");
        assertThat(env instanceof Map ? Repo.map(env).get("name") : env).isEqualTo(environment);
        assertThat(runCommands(deploy)).anySatisfy(c -> assertThat(c).contains("./deploy.sh k8s " + environment));
        assertThat(Repo.path("k8s/overlays/" + environment + "/kustomization.yaml")).exists();
    }

    private static List<Map<String, Object>> steps(Map<String, Object> job) {
        return Repo.list(job.get("steps")).stream().map(Repo::map).toList();
    }

    private static List<String> runCommands(Map<String, Object> job) {
        return steps(job).stream()
                .map(step -> step.get("run"))
                .filter(java.util.Objects::nonNull)
                .flatMap(run -> Stream.of(run.toString().split("\n")))
                .map(String::trim)
                .toList();
    }
}
