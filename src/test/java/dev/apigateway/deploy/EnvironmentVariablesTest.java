package dev.apigateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Deployment files and docs name only settings the application has, and CONFIG.md documents every
 * setting of application.yml with the default the code really has.
 */
class EnvironmentVariablesTest {

    static final List<String> COMPOSE_FILES =
            List.of("docker-compose.yml", "docker-compose.prod.yml", "docker-compose.monitoring.yml");
    static final String ENV_EXAMPLE = ".env.example";
    static final String COMPOSE_ONLY_SECTION = "## compose only";
    static final String SYSTEMD_ENV = "deploy/systemd/gateway.env.example";
    static final String SYSTEMD_UNIT = "deploy/systemd/api-gateway.service";

    private static final Pattern ASSIGNMENT = Pattern.compile("^#?\\s*([A-Z][A-Z0-9_]*)=");
    private static final Pattern ENV_LINE = Pattern.compile("^([A-Z][A-Z0-9_]*)=");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");

    private final ApplicationSettings settings = ApplicationSettings.load();

    @Test
    void everyVariableNamedByDeploymentFilesAndDocsIsARealSetting() {
        Map<String, Set<String>> namedBy = new LinkedHashMap<>();
        for (String file : COMPOSE_FILES) {
            gatewayEnvironment(Repo.yaml(file)).forEach(name -> namedBy.computeIfAbsent(name, n -> new TreeSet<>()).add(file));
        }
        KubernetesManifests.gatewayEnvironmentNames()
                .forEach((name, file) -> namedBy.computeIfAbsent(name, n -> new TreeSet<>()).addAll(file));
        envExampleSections().get(false)
                .forEach(name -> namedBy.computeIfAbsent(name, n -> new TreeSet<>()).add(ENV_EXAMPLE));
        assignedNames(Repo.read(SYSTEMD_ENV))
                .forEach(name -> namedBy.computeIfAbsent(name, n -> new TreeSet<>()).add(SYSTEMD_ENV));
        systemdUnitEnvironment()
                .forEach(name -> namedBy.computeIfAbsent(name, n -> new TreeSet<>()).add(SYSTEMD_UNIT));
        ConfigDocumentation.rows().keySet()
                .forEach(name -> namedBy.computeIfAbsent(name, n -> new TreeSet<>()).add(ConfigDocumentation.CONFIG_MD));

        assertThat(namedBy).as("variables found").containsKeys("UPSTREAM_URL", "REDIS_PASSWORD", "ROUTES_DIR");
        Map<String, Set<String>> unknown = new LinkedHashMap<>(namedBy);
        unknown.keySet().removeIf(settings::isRealSetting);
        assertThat(unknown)
                .as("variables that are neither a ${NAME} of application.yml nor a Spring/JVM variable (name -> files)")
                .isEmpty();
    }

    @Test
    void everyApplicationSettingIsInConfigMdWithTheRealDefault() {
        Map<String, ConfigDocumentation.Row> rows = ConfigDocumentation.rows();
        List<String> faults = new ArrayList<>();
        for (ApplicationSettings.Setting setting : settings.all()) {
            ConfigDocumentation.Row row = rows.get(setting.name());
            if (row == null) {
                faults.add(setting.name() + ": no row in CONFIG.md");
                continue;
            }
            String expected = setting.defaultValue() == null ? "" : setting.defaultValue();
            if (!expected.equals(row.defaultValue())) {
                faults.add(setting.name() + ": CONFIG.md says default " + row.defaultValue()
                        + ", application.yml has " + expected);
            }
            if (!row.properties().containsAll(setting.properties())) {
                faults.add(setting.name() + ": CONFIG.md names properties " + row.properties()
                        + ", application.yml binds it to " + setting.properties());
            }
        }
        assertThat(faults).isEmpty();
    }

    @Test
    void everyComposeInterpolationIsListedInEnvExampleAndNothingStale() {
        Set<String> interpolated = new TreeSet<>();
        for (String file : COMPOSE_FILES) {
            interpolated.addAll(interpolations(Repo.read(file)));
        }
        Map<Boolean, Set<String>> sections = envExampleSections();
        Set<String> listed = new TreeSet<>(sections.get(false));
        listed.addAll(sections.get(true));

        assertThat(listed).as(".env.example lists every variable the Compose files use").containsAll(interpolated);
        assertThat(interpolated).as("every .env.example variable is used by a Compose file").containsAll(listed);
        assertThat(sections.get(true)).as("compose-only variables are not application settings")
                .noneMatch(settings.names()::contains);
    }

    @Test
    void deploymentAndOperationsDocsNameOnlyVariablesThatExist() {
        Set<String> known = new TreeSet<>(settings.names());
        Map<Boolean, Set<String>> sections = envExampleSections();
        known.addAll(sections.get(false));
        known.addAll(sections.get(true));
        known.addAll(matches(Repo.read("deploy.sh"), Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)")));
        known.addAll(matches(Repo.read(CiWorkflowTest.WORKFLOW), Pattern.compile("secrets\\.([A-Z][A-Z0-9_]*)")));
        for (String file : COMPOSE_FILES) {
            ComposeFilesTest.services(file).values()
                    .forEach(service -> known.addAll(ComposeFilesTest.environment(Repo.map(service)).keySet()));
        }
        Pattern documented = Pattern.compile("`([A-Z][A-Z0-9]*_[A-Z0-9_]+)(=[^`]*)?`");
        Map<String, Set<String>> unknown = new LinkedHashMap<>();
        for (String doc : List.of("DEPLOYMENT.md", "OPERATIONS.md")) {
            for (String name : matches(Repo.read(doc), documented)) {
                if (!known.contains(name) && !settings.isRealSetting(name)) {
                    unknown.computeIfAbsent(name, n -> new TreeSet<>()).add(doc);
                }
            }
        }
        assertThat(unknown).as("variables the docs name that nothing reads (name -> docs)").isEmpty();
    }

    @Test
    void placeholderParserReadsNestedDefaults() {
        assertThat(ApplicationSettings.placeholders("${MANAGEMENT_PORT:${PORT:5000}}", false))
                .containsExactly(
                        new ApplicationSettings.Placeholder("MANAGEMENT_PORT", "${PORT:5000}", false),
                        new ApplicationSettings.Placeholder("PORT", "5000", true));
        assertThat(ApplicationSettings.placeholders("${STORE_TIMEOUT_MS:50}ms", false))
                .containsExactly(new ApplicationSettings.Placeholder("STORE_TIMEOUT_MS", "50", false));
        assertThat(ApplicationSettings.placeholders("${REDIS_URL:}", false))
                .containsExactly(new ApplicationSettings.Placeholder("REDIS_URL", "", false));
        assertThat(ApplicationSettings.placeholders("${spring.application.name}", false)).isEmpty();
    }

    /** The gateway service's environment keys in one Compose file (none when it has no gateway). */
    static Set<String> gatewayEnvironment(Map<String, Object> compose) {
        Map<String, Object> gateway = Repo.map(Repo.map(compose.get("services")).get("gateway"));
        return ComposeFilesTest.environment(gateway).keySet();
    }

    /** Names in .env.example: key true holds those after the "## compose only" heading. */
    static Map<Boolean, Set<String>> envExampleSections() {
        Set<String> settingsSection = new LinkedHashSet<>();
        Set<String> composeOnly = new LinkedHashSet<>();
        boolean inComposeOnly = false;
        for (String line : Repo.read(ENV_EXAMPLE).split("\n")) {
            if (line.trim().equalsIgnoreCase(COMPOSE_ONLY_SECTION)) {
                inComposeOnly = true;
            } else if (line.startsWith("## ")) {
                inComposeOnly = false;
            }
            Matcher m = ENV_LINE.matcher(line);
            if (m.find()) {
                (inComposeOnly ? composeOnly : settingsSection).add(m.group(1));
            }
        }
        return Map.of(false, settingsSection, true, composeOnly);
    }

    /** Variables assigned in an env file, commented-out examples included. */
    static Set<String> assignedNames(String envFile) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : envFile.split("\n")) {
            Matcher m = ASSIGNMENT.matcher(line.trim());
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Compose's ${VAR}, ${VAR:-default}, ${VAR:?message}; $${...} is a literal dollar, not one. */
    static Set<String> interpolations(String composeText) {
        Set<String> names = new TreeSet<>();
        Matcher m = INTERPOLATION.matcher(composeText.replace("$$", ""));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> matches(String text, Pattern pattern) {
        Set<String> found = new TreeSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static Set<String> systemdUnitEnvironment() {
        Set<String> names = new LinkedHashSet<>();
        Path unit = Repo.path(SYSTEMD_UNIT);
        if (Files.exists(unit)) {
            Stream.of(Repo.read(unit).split("\n"))
                    .filter(line -> line.startsWith("Environment="))
                    .map(line -> line.substring("Environment=".length()).replace("\"", ""))
                    .flatMap(value -> Stream.of(value.split("\\s+")))
                    .map(assignment -> assignment.split("=", 2)[0])
                    .forEach(names::add);
        }
        return names;
    }
}
