package dev.apigateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Files of the repository, read the way the deployment tools read them. */
final class Repo {

    /** Folders other engineers own; a deployment file may name them before they are merged in. */
    static final List<String> OWNED_ELSEWHERE = List.of("routes", "upstream-service");

    private Repo() {
    }

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve("pom.xml"))) {
            throw new IllegalStateException("run from the repository root (the Maven basedir), not " + dir);
        }
        return dir;
    }

    static Path path(String relative) {
        return root().resolve(relative).normalize();
    }

    static String read(String relative) {
        return read(path(relative));
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The single YAML document of a file, as maps and lists. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(String relative) {
        Object doc = yaml().load(read(relative));
        if (!(doc instanceof Map)) {
            throw new IllegalArgumentException(relative + " is not a YAML mapping");
        }
        return (Map<String, Object>) doc;
    }

    /** Every non-empty YAML document of a file. */
    static List<Object> yamlDocuments(Path file) {
        List<Object> docs = new ArrayList<>();
        for (Object doc : yaml().loadAll(read(file))) {
            if (doc != null) {
                docs.add(doc);
            }
        }
        return docs;
    }

    static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(options);
    }

    /** True when a folder owned by another engineer is absent from this checkout altogether. */
    static boolean ownedElsewhereAndNotMergedYet(String relative) {
        Path normalized = Path.of(relative).normalize();
        String top = normalized.getName(0).toString();
        return OWNED_ELSEWHERE.contains(top) && !Files.exists(path(top));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return value instanceof List ? (List<Object>) value : List.of();
    }
}
