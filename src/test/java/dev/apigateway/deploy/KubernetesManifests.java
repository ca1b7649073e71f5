package dev.apigateway.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The manifests under k8s/, as typed fabric8 objects. */
final class KubernetesManifests {

    static final String K8S = "k8s";
    static final String BASE = "k8s/base";
    /** Needs CRDs that a cluster may not have (Prometheus Operator): checked for shape only. */
    static final String CRD_FOLDER = "k8s/monitoring";
    static final String GATEWAY_CONTAINER = "gateway";
    static final String GATEWAY_CONFIG_MAP = "gateway-config";

    /** apiVersion/kind -> model class: only these are accepted, so a wrong apiVersion fails too. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class));

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    record Manifest(Path file, HasMetadata object) {
        String relative() {
            return Repo.root().relativize(file).toString();
        }
    }

    private KubernetesManifests() {
    }

    /** Every manifest and patch under k8s/ except kustomization files and the CRD folder. */
    static List<Manifest> all() {
        List<Manifest> manifests = new ArrayList<>();
        for (Path file : yamlFiles(K8S)) {
            if (file.getFileName().toString().equals("kustomization.yaml") || file.startsWith(Repo.path(CRD_FOLDER))) {
                continue;
            }
            for (Object doc : Repo.yamlDocuments(file)) {
                manifests.add(new Manifest(file, typed(file, Repo.map(doc))));
            }
        }
        return manifests;
    }

    static List<Manifest> base() {
        return all().stream().filter(m -> m.file().startsWith(Repo.path(BASE))).toList();
    }

    static <T extends HasMetadata> T baseObject(Class<T> type, String name) {
        return base().stream()
                .map(Manifest::object)
                .filter(type::isInstance)
                .filter(o -> o.getMetadata().getName().equals(name))
                .map(type::cast)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " in " + BASE));
    }

    static HasMetadata typed(Path file, Map<String, Object> doc) {
        String key = doc.get("apiVersion") + "/" + doc.get("kind");
        Class<? extends HasMetadata> type = KINDS.get(key);
        if (type == null) {
            throw new AssertionError(file + ": unexpected apiVersion/kind " + key + " (known: " + KINDS.keySet() + ")");
        }
        HasMetadata object;
        try {
            object = MAPPER.convertValue(doc, type);
        } catch (IllegalArgumentException e) {
            throw new AssertionError(file + ": " + key + " does not parse: " + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        unknownFields(object, key, unknown, new IdentityHashMap<>());
        if (!unknown.isEmpty()) {
            throw new AssertionError(file + ": fields the Kubernetes model does not have: " + unknown);
        }
        return object;
    }

    static List<Path> yamlFiles(String folder) {
        try (Stream<Path> files = Files.walk(Repo.path(folder))) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(f -> !Repo.root().relativize(f).toString().contains("/."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Container gatewayContainer(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(GATEWAY_CONTAINER))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container named " + GATEWAY_CONTAINER));
    }

    /** Environment variable names given to the gateway anywhere under k8s/ (name -> files). */
    static Map<String, Set<String>> gatewayEnvironmentNames() {
        Map<String, Set<String>> names = new LinkedHashMap<>();
        for (Manifest manifest : all()) {
            Collection<String> found = List.of();
            if (manifest.object() instanceof ConfigMap configMap
                    && configMap.getMetadata().getName().equals(GATEWAY_CONFIG_MAP)
                    && configMap.getData() != null) {
                found = configMap.getData().keySet();
            } else if (manifest.object() instanceof Deployment deployment) {
                found = deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                        .filter(c -> c.getName().equals(GATEWAY_CONTAINER))
                        .flatMap(c -> c.getEnv() == null ? Stream.empty() : c.getEnv().stream())
                        .map(EnvVar::getName)
                        .toList();
            }
            found.forEach(name -> names.computeIfAbsent(name, n -> new TreeSet<>()).add(manifest.relative()));
        }
        return names;
    }

    /**
     * The model keeps fields it does not know in additionalProperties instead of failing, so a
     * typo ({@code readinesProbe}) would pass unnoticed: look for them everywhere in the tree.
     */
    private static void unknownFields(Object node, String path, List<String> found, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, found, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    found.add(path + " " + extra.keySet());
                }
            } else {
                String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                unknownFields(value, path + "." + field, found, seen);
            }
        }
    }
}
