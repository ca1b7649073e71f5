package dev.apigateway.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The consumers of {@code CONSUMERS_FILE}, looked up by API key. Only SHA-256 hashes of the keys are kept: a key
 * given plainly in the file is hashed when read, one given as {@code sha256:HEX} is taken as its hash. Immutable; a
 * reload makes a new one.
 *
 * <pre>
 * consumers:
 *   - name: acme
 *     keys: ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]
 *     limits: "burst:50:25:1,daily:100000:100000:86400"
 *   - name: trial
 *     keys: ["trial-key-1", "trial-key-2"]      # no limits: the route's
 * </pre>
 */
public final class Consumers {

    public static final Consumers NONE = new Consumers(Map.of(), 0);

    /** A longer presented key is not looked up (no hashing of arbitrary amounts per request). */
    public static final int MAX_KEY_LENGTH = RateLimitKeys.MAX_HEADER_VALUE_LENGTH;

    private static final Pattern SHA256_HEX = Pattern.compile("sha256:[0-9a-fA-F]{64}");
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every Java platform has SHA-256
        }
    });

    private final Map<String, Consumer> byKeyHash;
    private final int count;

    private Consumers(Map<String, Consumer> byKeyHash, int count) {
        this.byKeyHash = Map.copyOf(byKeyHash);
        this.count = count;
    }

    /** The consumer whose key this is; {@code null} for a missing, over-long or unknown key. */
    public Consumer find(String presentedKey) {
        if (presentedKey == null || presentedKey.isBlank() || presentedKey.length() > MAX_KEY_LENGTH) {
            return null;
        }
        return byKeyHash.get(hash(presentedKey));
    }

    /** How many consumers the file names. */
    public int size() {
        return count;
    }

    /** Every consumer's own plan (for checks against the settings); consumers without limits are left out. */
    public List<Consumer> all() {
        return byKeyHash.values().stream().distinct().toList();
    }

    /**
     * Reads a consumers file.
     *
     * @throws IllegalArgumentException naming the consumer (by name or position) and the fault, never a key
     */
    public static Consumers parse(String content) {
        Object tree;
        try {
            tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(content);
        } catch (MarkedYAMLException e) {
            // the problem and its line only: the snippet snakeyaml quotes could be a key
            throw new IllegalArgumentException("not valid YAML at line " + (e.getProblemMark().getLine() + 1) + ": "
                    + e.getProblem());
        } catch (YAMLException e) {
            throw new IllegalArgumentException("not valid YAML");
        }
        if (!(tree instanceof Map<?, ?> root) || !(root.get("consumers") instanceof List<?> list)) {
            throw new IllegalArgumentException("the file must have a list 'consumers:' of {name, keys, limits}");
        }
        if (root.size() > 1) {
            throw new IllegalArgumentException("the file may have 'consumers:' only, it also has "
                    + root.keySet().stream().filter(k -> !"consumers".equals(k)).toList());
        }
        Map<String, Consumer> byHash = new HashMap<>();
        Set<String> names = new HashSet<>();
        int position = 0;
        for (Object item : list) {
            position++;
            String where = "consumer " + position;
            if (!(item instanceof Map<?, ?> entry)) {
                throw new IllegalArgumentException(where + " must be a map with name, keys and (optionally) limits");
            }
            for (Object field : entry.keySet()) {
                if (!List.of("name", "keys", "limits").contains(String.valueOf(field))) {
                    throw new IllegalArgumentException(where + ": unknown field '" + field + "' (known: name, keys, limits)");
                }
            }
            Consumer consumer;
            try {
                RateLimitPlan limits = entry.get("limits") == null ? null : RateLimitPlan.parse(String.valueOf(entry.get("limits")));
                consumer = new Consumer(entry.get("name") == null ? null : String.valueOf(entry.get("name")), limits);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            where = "consumer " + consumer.name();
            if (!names.add(consumer.name())) {
                throw new IllegalArgumentException(where + " is named twice");
            }
            if (!(entry.get("keys") instanceof List<?> keys) || keys.isEmpty()) {
                throw new IllegalArgumentException(where + " needs a list 'keys' of at least one API key");
            }
            int k = 0;
            for (Object key : keys) {
                k++;
                String text = key == null ? "" : String.valueOf(key).trim();
                if (text.isEmpty() || text.length() > MAX_KEY_LENGTH) {
                    throw new IllegalArgumentException(where + ": key " + k + " must be 1 to " + MAX_KEY_LENGTH
                            + " characters");
                }
                String hash = SHA256_HEX.matcher(text).matches() ? text.substring(7).toLowerCase(java.util.Locale.ROOT)
                        : text.startsWith("sha256:") ? null : hash(text);
                if (hash == null) {
                    throw new IllegalArgumentException(where + ": key " + k + " starts with sha256: but is not"
                            + " sha256: and 64 hex digits");
                }
                Consumer other = byHash.putIfAbsent(hash, consumer);
                if (other != null) {
                    throw new IllegalArgumentException(where + ": key " + k + " is also a key of consumer "
                            + other.name());
                }
            }
        }
        return new Consumers(byHash, names.size());
    }

    /** The SHA-256 of a key in hex, as {@code sha256sum} prints it (and {@code sha256:HEX} in the file holds). */
    static String hash(String key) {
        return HEX.formatHex(SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
