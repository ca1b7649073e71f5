package dev.apigateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** The Dockerfile's paths (jar, routes folder, health path, port, user) match the build and the code. */
class DockerfileTest {

    /** The contract's liveness path: GET /health. */
    static final String HEALTH_PATH = "/health";
    static final List<String> LAYERS = List.of("dependencies", "snapshot-dependencies", "application");
    static final String AOT_CACHE = "/app/app.aot";

    private final ApplicationSettings settings = ApplicationSettings.load();
    private final List<Instruction> instructions = instructions();

    record Instruction(String keyword, String arguments) {
    }

    @Test
    void buildsTheJarThePomNamesAndExtractsItsLayers() {
        String jar = "target/" + finalName() + ".jar";
        assertThat(arguments("RUN")).anySatisfy(run -> assertThat(run)
                .as("-Dmaven.test.skip=true: the tests are not even compiled (their upstream-service/ is not in the image)")
                .contains("./mvnw -B -q package -Dmaven.test.skip=true")
                .contains("java -Djarmode=tools -jar " + jar + " extract --layers --destination extracted"));
        assertThat(Repo.read(EnvironmentVariablesTest.SYSTEMD_UNIT)).contains("/" + finalName() + ".jar");
        assertThat(Repo.read("deploy.sh")).contains(jar);
    }

    @Test
    void dependenciesAreResolvedInALayerOfTheirOwnBeforeTheSourcesArrive() {
        int goOffline = index(i -> i.keyword().equals("RUN") && i.arguments().contains("dependency:go-offline"));
        int pom = index(i -> i.keyword().equals("COPY") && i.arguments().contains("pom.xml"));
        int sources = index(i -> i.keyword().equals("COPY") && i.arguments().startsWith("src/main "));
        assertThat(pom).isLessThan(goOffline);
        assertThat(goOffline).isLessThan(sources);
    }

    @Test
    void runStageIsAJreCopyingTheLayersInOrderAndRunningTheExtractedJarWithItsAotCache() {
        List<String> froms = arguments("FROM");
        assertThat(froms).containsExactly("${BUILD_IMAGE} AS build", "${RUNTIME_IMAGE}");
        assertThat(arguments("ARG")).as("pinned to a release, swappable by --build-arg").containsExactly(
                "BUILD_IMAGE=eclipse-temurin:25.0.3_9-jdk-noble", "RUNTIME_IMAGE=eclipse-temurin:25.0.3_9-jre-noble");
        List<String> copiedLayers = arguments("COPY").stream()
                .filter(c -> c.startsWith("--from=build /build/extracted/"))
                .map(c -> c.substring("--from=build /build/extracted/".length()).split("/")[0])
                .toList();
        assertThat(copiedLayers).containsExactlyElementsOf(LAYERS);
        assertThat(arguments("ENTRYPOINT")).containsExactly(
                "[\"java\", \"-XX:AOTCache=" + AOT_CACHE + "\", \"-jar\", \"/app/" + finalName() + ".jar\"]");
    }

    @Test
    void theAotCacheIsTrainedInTheRunStageAfterTheLayersAndTheJvmFlags() {
        int lastLayer = lastIndex(i -> i.keyword().equals("COPY") && i.arguments().startsWith("--from=build /build/extracted/"));
        int flags = index(i -> i.keyword().equals("ENV") && i.arguments().startsWith("JAVA_TOOL_OPTIONS="));
        int script = index(i -> i.keyword().equals("COPY") && i.arguments().startsWith("deploy/aot-cache.sh "));
        int training = index(i -> i.keyword().equals("RUN") && i.arguments().endsWith(" /app " + AOT_CACHE));
        int runStage = lastIndex(i -> i.keyword().equals("FROM"));
        assertThat(runStage).as("a cache maps only into the JVM that wrote it: the run stage's").isLessThan(lastLayer);
        assertThat(lastLayer).isLessThan(training);
        assertThat(flags).as("trained with the flags the gateway runs with").isLessThan(training);
        assertThat(script).isLessThan(training);
        assertThat(Repo.read(".dockerignore")).contains("!deploy/aot-cache.sh");
    }

    @Test
    void exposesThePortsTheApplicationListensOn() {
        String port = settings.defaultOf("PORT");
        assertThat(arguments("EXPOSE")).containsExactly(port + " " + settings.defaultOf("MANAGEMENT_PORT"));
        assertThat(env("PORT")).contains(port);
    }

    @Test
    void routesFolderIsAVolumeAtRoutesDirSeededFromTheRepository() {
        String routesDir = env("ROUTES_DIR").orElseThrow();
        assertThat(arguments("VOLUME")).containsExactly(routesDir);
        assertThat(arguments("COPY")).contains("--chown=" + imageUid() + ":" + imageUid() + " routes/ " + routesDir + "/");
        assertThat(settings.defaultOf("ROUTES_DIR")).as("application.yml's ROUTES_DIR is the repo's routes folder")
                .isIn("./routes", "routes");
        assumeTrue(Files.isDirectory(Repo.path("routes")),
                "routes/ is not in this checkout yet (owned by another engineer); the image's COPY routes/ needs it");
    }

    @Test
    void healthCheckProbesTheContractsLivenessPathOnPort() {
        assertThat(arguments("HEALTHCHECK")).singleElement().satisfies(check -> assertThat(check)
                .contains("http://127.0.0.1:${PORT}" + HEALTH_PATH));
        Optional<Path> contract = Stream.of("CONTRACT.md", "docs/CONTRACT.md", "../shared/CONTRACT.md")
                .map(Repo::path).filter(Files::isRegularFile).findFirst();
        assumeTrue(contract.isPresent(), "no CONTRACT.md found to check the health path against");
        assertThat(Repo.read(contract.get())).contains("`GET " + HEALTH_PATH + "`");
    }

    @Test
    void runsAsANonRootUserWithContainerAwareHeap() {
        assertThat(imageUid()).isGreaterThan(0);
        assertThat(env("JAVA_TOOL_OPTIONS")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("-XX:+UseSerialGC").contains("-XX:MaxRAMPercentage=50").contains("-XX:+ExitOnOutOfMemoryError");
    }

    @Test
    void dockerignoreKeepsBuildOutputAndSecretsOutButNotTheSources() {
        List<String> ignored = Stream.of(Repo.read(".dockerignore").split("\n"))
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignored).contains("target/", ".git", ".env");
        assertThat(ignored).doesNotContain("src", "src/", "pom.xml", "mvnw", ".mvn", "routes", "routes/");
    }

    /** The uid of the Dockerfile's USER (the k8s securityContext runs as the same). */
    static long imageUid() {
        List<String> users = arguments(instructions(), "USER");
        assertThat(users).hasSize(1);
        return Long.parseLong(users.get(0).split(":")[0]);
    }

    private String finalName() {
        try {
            Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Repo.path("pom.xml").toFile());
            return pom.getElementsByTagName("finalName").item(0).getTextContent().trim();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read build/finalName from pom.xml", e);
        }
    }

    private List<String> arguments(String keyword) {
        return arguments(instructions, keyword);
    }

    private static List<String> arguments(List<Instruction> instructions, String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    private int index(java.util.function.Predicate<Instruction> test) {
        for (int i = 0; i < instructions.size(); i++) {
            if (test.test(instructions.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such instruction in the Dockerfile");
    }

    private int lastIndex(java.util.function.Predicate<Instruction> test) {
        for (int i = instructions.size() - 1; i >= 0; i--) {
            if (test.test(instructions.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such instruction in the Dockerfile");
    }

    /** The value an ENV instruction gives a variable (ENV A=1 B="two words"). */
    private Optional<String> env(String name) {
        for (String env : arguments("ENV")) {
            int at = (" " + env).indexOf(" " + name + "=");
            if (at >= 0) {
                String rest = env.substring(at + name.length() + 1);
                return Optional.of(rest.startsWith("\"") ? rest.substring(1, rest.indexOf('"', 1)) : rest.split("\\s+")[0]);
            }
        }
        return Optional.empty();
    }

    /** Instructions with line continuations joined and comments dropped. */
    private static List<Instruction> instructions() {
        List<Instruction> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : Repo.read("Dockerfile").split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            boolean continues = line.endsWith("\\");
            current.append(continues ? line.substring(0, line.length() - 1).strip() : line).append(' ');
            if (!continues) {
                String text = current.toString().strip().replaceAll("\\s+", " ");
                int space = text.indexOf(' ');
                result.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1)));
                current.setLength(0);
            }
        }
        return result;
    }
}
