package dev.apigateway.upstream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One request as it reached the upstream.
 *
 * @param method      the request method, as sent
 * @param rawPath     the path exactly as received, still percent-encoded (never decoded or normalised)
 * @param rawQuery    the query string as received, still encoded, without the {@code ?}; {@code null} when absent
 * @param headers     request headers: lower-case names, looked up case-insensitively; the values of one
 *                    name keep their order and duplicates (one entry per header line). The JDK server does not
 *                    keep the order <em>between</em> names, so names are sorted.
 * @param bodyLength  number of body bytes read
 * @param bodySha256  lower-case hex SHA-256 of the body ({@link #EMPTY_SHA256} for no body)
 */
public record RecordedRequest(
        String method,
        String rawPath,
        String rawQuery,
        Map<String, List<String>> headers,
        long bodyLength,
        String bodySha256) {

    /** SHA-256 of zero bytes. */
    public static final String EMPTY_SHA256 =
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public RecordedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(rawPath, "rawPath");
        Objects.requireNonNull(bodySha256, "bodySha256");
        headers = caseInsensitiveCopy(headers == null ? Map.of() : headers);
    }

    /** All values of a header, in the order received; empty when absent. Case-insensitive. */
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /** The first value of a header, or {@code null} when absent. Case-insensitive. */
    public String header(String name) {
        List<String> values = headerValues(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /** Whether the header was present at all. Case-insensitive. */
    public boolean hasHeader(String name) {
        return headers.containsKey(name);
    }

    /** The path plus {@code ?query} when there was one, both raw. */
    public String rawPathAndQuery() {
        return rawQuery == null ? rawPath : rawPath + "?" + rawQuery;
    }

    private static Map<String, List<String>> caseInsensitiveCopy(Map<String, List<String>> source) {
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, List<String>> e : source.entrySet()) {
            if (e.getKey() == null) {
                continue;
            }
            String name = e.getKey().toLowerCase(Locale.ROOT);
            List<String> merged = new ArrayList<>(copy.getOrDefault(name, List.of()));
            if (e.getValue() != null) {
                for (String v : e.getValue()) {
                    merged.add(v == null ? "" : v);
                }
            }
            copy.put(name, List.copyOf(merged));
        }
        return Collections.unmodifiableMap(copy);
    }
}
