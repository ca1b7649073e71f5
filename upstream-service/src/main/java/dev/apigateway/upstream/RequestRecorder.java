package dev.apigateway.upstream;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Thread-safe record of what reached the upstream. */
final class RequestRecorder {

    static final int MAX_RECORDED = 1000;
    /** Distinct raw paths counted for {@code hits(prefix)}; beyond it new paths only count in the total. */
    static final int MAX_DISTINCT_PATHS = 10_000;

    private final ArrayDeque<RecordedRequest> recent = new ArrayDeque<>(MAX_RECORDED);
    private final Map<String, long[]> perPath = new HashMap<>();
    private long total;
    private long uncountedPaths;

    synchronized void record(RecordedRequest request) {
        total++;
        long[] counter = perPath.get(request.rawPath());
        if (counter == null && perPath.size() < MAX_DISTINCT_PATHS) {
            counter = new long[1];
            perPath.put(request.rawPath(), counter);
        }
        if (counter != null) {
            counter[0]++;
        } else {
            uncountedPaths++;
        }
        if (recent.size() == MAX_RECORDED) {
            recent.removeFirst();
        }
        recent.addLast(request);
    }

    synchronized long hits() {
        return total;
    }

    synchronized long hits(String rawPathPrefix) {
        long n = 0;
        for (Map.Entry<String, long[]> e : perPath.entrySet()) {
            if (e.getKey().startsWith(rawPathPrefix)) {
                n += e.getValue()[0];
            }
        }
        return n;
    }

    synchronized long uncountedPaths() {
        return uncountedPaths;
    }

    synchronized List<RecordedRequest> requests() {
        return List.copyOf(recent);
    }

    synchronized RecordedRequest last() {
        return recent.peekLast();
    }

    synchronized void reset() {
        recent.clear();
        perPath.clear();
        total = 0;
        uncountedPaths = 0;
    }
}
