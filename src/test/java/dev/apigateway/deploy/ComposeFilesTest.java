package dev.apigateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Compose files parse, and what they point at exists and fits the application. */
class ComposeFilesTest {

    static final String DEV = "docker-compose.yml";
    static final String PROD = "docker-compose.prod.yml";
    static final String MONITORING = "docker-compose.monitoring.yml";

    private final ApplicationSettings settings = ApplicationSettings.load();

    @Test
    void everyServiceHasAnImageOrABuildContextWithADockerfile() {
        List<String> faults = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        for (String file : EnvironmentVariablesTest.COMPOSE_FILES) {
            services(file).forEach((name, value) -> {
                Map<String, Object> service = Repo.map(value);
                Object build = service.get("build");
                if (build == null) {
                    if (service.get("image") == null) {
                        faults.add(file + " " + name + ": neither image nor build");
                    }
                    return;
                }
                String context = build instanceof String s ? s : String.valueOf(Repo.map(build).getOrDefault("context", "."));
                String dockerfile = build instanceof String ? "Dockerfile"
                        : String.valueOf(Repo.map(build).getOrDefault("dockerfile", "Dockerfile"));
                String relative = Path.of(context).resolve(dockerfile).normalize().toString();
                if (!Files.isRegularFile(Repo.path(relative))) {
                    (Repo.ownedElsewhereAndNotMergedYet(relative) ? pending : faults)
                            .add(file + " " + name + ": no " + relative);
                }
            });
        }
        assertThat(faults).isEmpty();
        assumeTrue(pending.isEmpty(), "not in this checkout yet (owned by another engineer): " + pending);
    }

    @Test
    void everyBindMountedHostPathExistsAndNamedVolumesAreDeclared() {
        List<String> faults = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        for (String file : EnvironmentVariablesTest.COMPOSE_FILES) {
            Map<String, Object> compose = Repo.yaml(file);
            Set<String> namedVolumes = Repo.map(compose.get("volumes")).keySet();
            services(file).forEach((name, service) -> {
                for (String[] volume : volumes(Repo.map(service))) {
                    String source = volume[0];
                    if (source.startsWith(".") || source.startsWith("/")) {
                        if (!Files.exists(Repo.path(source))) {
                            (Repo.ownedElsewhereAndNotMergedYet(source) ? pending : faults)
                                    .add(file + " " + name + ": host path " + source + " does not exist");
                        }
                    } else if (!namedVolumes.contains(source)) {
                        faults.add(file + " " + name + ": volume " + source + " is not declared");
                    }
                }
            });
        }
        assertThat(faults).isEmpty();
        assumeTrue(pending.isEmpty(), "not in this checkout yet (owned by another engineer): " + pending);
    }

    @Test
    void gatewayRedisAndUpstreamHaveHealthChecksAndDependenciesWaitForThem() {
        assertThat(services(DEV)).containsKeys("gateway", "redis", "upstream-service");
        for (String file : List.of(DEV, PROD)) {
            Map<String, Object> services = new LinkedHashMap<>(services(file));
            services.putAll(services(MONITORING));
            for (String name : List.of("gateway", "redis", "upstream-service")) {
                assertThat(Repo.map(services.get(name)).get("healthcheck")).as(file + " " + name + " healthcheck").isNotNull();
            }
            services.forEach((name, service) -> Repo.map(Repo.map(service).get("depends_on")).forEach((dependency, spec) -> {
                assertThat(services).as(file + " " + name + " depends on " + dependency).containsKey(dependency);
                if ("service_healthy".equals(Repo.map(spec).get("condition"))) {
                    assertThat(Repo.map(services.get(dependency)).get("healthcheck"))
                            .as(file + ": " + name + " waits for " + dependency + " to be healthy").isNotNull();
                }
            }));
        }
    }

    @Test
    void gatewayHealthCheckAndPortsMatchTheApplication() {
        String port = settings.defaultOf("PORT");
        String management = settings.defaultOf("MANAGEMENT_PORT");
        for (String file : List.of(DEV, PROD)) {
            Map<String, Object> gateway = Repo.map(services(file).get("gateway"));
            String test = String.join(" ", Repo.list(Repo.map(gateway.get("healthcheck")).get("test")).stream()
                    .map(String::valueOf).toList());
            assertThat(test).as(file).contains(":" + port + DockerfileTest.HEALTH_PATH);
            for (Object mapping : Repo.list(gateway.get("ports"))) {
                String published = String.valueOf(mapping);
                if (published.endsWith(":" + management)) {
                    assertThat(published).as(file + ": the management port only on the host's loopback")
                            .startsWith("127.0.0.1:");
                } else {
                    assertThat(published).as(file + " publishes the gateway's port").endsWith(":" + port);
                }
            }
            assertThat(environment(gateway)).as(file + ": Prometheus on the network reaches the management port")
                    .containsEntry("MANAGEMENT_ADDRESS", "0.0.0.0").containsKey("ADMIN_TOKEN");
        }
    }

    @Test
    void routesAreMountedReadOnlyWhereRoutesDirPoints() {
        for (String file : List.of(DEV, PROD)) {
            Map<String, Object> gateway = Repo.map(services(file).get("gateway"));
            String routesDir = String.valueOf(environment(gateway).get("ROUTES_DIR"));
            assertThat(volumes(gateway)).as(file + ": ./routes mounted read-only at ROUTES_DIR")
                    .anySatisfy(v -> assertThat(v).containsExactly("./routes", routesDir, "ro"));
        }
        assertThat(String.valueOf(environment(Repo.map(services(DEV).get("gateway"))).get("REDIS_HOST"))).isEqualTo("redis");
        assertThat(String.valueOf(environment(Repo.map(services(DEV).get("gateway"))).get("UPSTREAM_URL")))
                .isEqualTo("http://upstream-service:5001");
    }

    @Test
    void productionRunsThreeGatewaysBehindNginxWithLimitsAndNoOtherPublishedPorts() {
        Map<String, Object> services = services(PROD);
        Map<String, Object> gateway = Repo.map(services.get("gateway"));
        assertThat(Repo.map(gateway.get("deploy")).get("replicas")).isEqualTo(3);
        services.forEach((name, value) -> {
            Map<String, Object> service = Repo.map(value);
            assertThat(service.get("restart")).as(name + " restart policy").isNotNull();
            assertThat(Repo.map(Repo.map(Repo.map(service.get("deploy")).get("resources")).get("limits")))
                    .as(name + " resource limits").containsKeys("cpus", "memory");
            if (!name.equals("nginx")) {
                assertThat(service.get("ports")).as(name + " publishes no port in production").isNull();
            }
            assertThat(String.valueOf(service)).as(name + ": no debug agent").doesNotContain("jdwp");
        });
        assertThat(Repo.map(services.get("nginx")).get("image").toString()).startsWith("nginx:1.27");
    }

    @Test
    void productionRedisHasAPasswordAndAppendOnlyPersistenceOnANamedVolume() {
        Map<String, Object> redis = Repo.map(services(PROD).get("redis"));
        String command = String.join(" ", Repo.list(redis.get("command")).stream().map(String::valueOf).toList());
        assertThat(command).contains("--requirepass").contains("--appendonly yes");
        assertThat(String.valueOf(environment(redis).get("REDIS_PASSWORD"))).startsWith("${REDIS_PASSWORD:?");
        assertThat(volumes(redis)).anySatisfy(v -> assertThat(v[1]).isEqualTo("/data"));
        assertThat(Repo.map(Repo.yaml(PROD).get("volumes"))).containsKey("redis-data");
    }

    @Test
    void productionGatewaysTrustTheComposeNetworkNginxLivesOn() {
        Map<String, Object> prod = Repo.yaml(PROD);
        Object subnet = Repo.map(Repo.list(Repo.map(Repo.map(Repo.map(prod.get("networks")).get("default"))
                .get("ipam")).get("config")).get(0)).get("subnet");
        Object trusted = environment(Repo.map(services(PROD).get("gateway"))).get("TRUSTED_PROXIES");
        assertThat(trusted).isEqualTo(subnet);
    }

    static Map<String, Object> services(String file) {
        return Repo.map(Repo.yaml(file).get("services"));
    }

    /** A service's environment, from the map or the list ("NAME=value") form. */
    static Map<String, Object> environment(Map<String, Object> service) {
        Object environment = service.get("environment");
        Map<String, Object> result = new LinkedHashMap<>(Repo.map(environment));
        for (Object entry : Repo.list(environment)) {
            String[] pair = entry.toString().split("=", 2);
            result.put(pair[0], pair.length > 1 ? pair[1] : null);
        }
        return result;
    }

    /** Short-syntax volumes as {source, target[, mode]}; long syntax is turned into the same. */
    static List<String[]> volumes(Map<String, Object> service) {
        List<String[]> volumes = new ArrayList<>();
        for (Object volume : Repo.list(service.get("volumes"))) {
            if (volume instanceof String s) {
                volumes.add(s.split(":"));
            } else {
                Map<String, Object> v = Repo.map(volume);
                boolean readOnly = Boolean.TRUE.equals(v.get("read_only"));
                volumes.add(readOnly ? new String[] {String.valueOf(v.get("source")), String.valueOf(v.get("target")), "ro"}
                        : new String[] {String.valueOf(v.get("source")), String.valueOf(v.get("target"))});
            }
        }
        return volumes;
    }
}
