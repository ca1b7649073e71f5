package dev.apigateway.proxy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Which running gateway consumer serves a request path: the table {@link GatewayDispatchFilter} reads for every
 * request, so a request reaches its route without Spring MVC's handler lookup (one mapping per HTTP method per
 * route, matched in turn) and reflective handler call.
 *
 * <p>A consumer path matches itself, and with {@code matchOnUriPrefix} every path below it ({@code /proxy} serves
 * {@code /proxy} and {@code /proxy/a/b}, never {@code /proxyx}); the longest path wins. Paths are compared as
 * sent (still percent-encoded). Paths with {@code {templates}} are left to Spring MVC.
 *
 * <p>Readers take an immutable snapshot (one volatile read); consumers register as their route starts and leave
 * as it stops. While a route file is being swapped, its paths are <em>held</em> ({@link #hold}): a request that
 * finds no consumer for a held path waits for the new route instead of getting a 404, so replacing a file drops
 * no request.
 */
public final class GatewayRouteTable {

    /** One consumer: its path, whether it serves the paths below it, and the methods it takes (null: all). */
    record Entry(String path, boolean prefix, Set<String> methods, Match match) {

        boolean matches(String requestPath) {
            if (!requestPath.startsWith(path)) {
                return false;
            }
            int rest = requestPath.length() - path.length();
            return rest == 0 || (prefix && (path.endsWith("/") || requestPath.charAt(path.length()) == '/'));
        }

        boolean takes(String method) {
            return methods == null || methods.contains(method);
        }
    }

    /** What a lookup found: the consumer, or that the path is served but not for this method. */
    public record Match(GatewayHttpConsumer consumer, boolean methodNotAllowed) {
        static final Match METHOD_NOT_ALLOWED = new Match(null, true);
    }

    private final long holdTimeoutNanos;
    /** Longest path first. */
    private volatile Entry[] entries = new Entry[0];
    /** Paths held during a route-file swap, with how many swaps hold each. Guarded by {@code this}. */
    private final Map<String, Integer> held = new HashMap<>();
    private volatile boolean anyHeld;

    /** @param holdTimeout the longest a request waits for a held path's new route */
    public GatewayRouteTable(java.time.Duration holdTimeout) {
        this.holdTimeoutNanos = holdTimeout.toNanos();
    }

    /** @return the consumer for the path and method, {@link Match#METHOD_NOT_ALLOWED}, or {@code null} */
    public Match lookup(String path, String method) {
        Match match = find(entries, path, method);
        if (match != null || !anyHeld) {
            return match;
        }
        return awaitHeld(path, method);
    }

    private static Match find(Entry[] table, String path, String method) {
        boolean pathServed = false;
        int servedLength = -1;
        for (Entry entry : table) {
            if (pathServed && entry.path().length() < servedLength) {
                break;
            }
            if (entry.matches(path)) {
                if (entry.takes(method)) {
                    return entry.match();
                }
                pathServed = true;
                servedLength = entry.path().length();
            }
        }
        return pathServed ? Match.METHOD_NOT_ALLOWED : null;
    }

    private synchronized Match awaitHeld(String path, String method) {
        long deadline = System.nanoTime() + holdTimeoutNanos;
        while (isHeld(path)) {
            Match match = find(entries, path, method);
            if (match != null) {
                return match;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return find(entries, path, method);
    }

    private boolean isHeld(String path) {
        for (String heldPath : held.keySet()) {
            if (new Entry(heldPath, true, null, null).matches(path)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Holds {@code paths} until the returned handle is closed: meanwhile a request on one of them that finds no
     * consumer waits (at most the hold timeout) for one to register.
     */
    public Hold hold(Collection<String> paths) {
        List<String> copy = List.copyOf(paths);
        synchronized (this) {
            for (String path : copy) {
                held.merge(path, 1, Integer::sum);
            }
            anyHeld = !held.isEmpty();
        }
        return () -> {
            synchronized (this) {
                for (String path : copy) {
                    held.computeIfPresent(path, (p, n) -> n == 1 ? null : n - 1);
                }
                anyHeld = !held.isEmpty();
                notifyAll();
            }
        };
    }

    /** A hold on paths, released by closing it once (try-with-resources). */
    @FunctionalInterface
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    synchronized void register(GatewayHttpConsumer consumer, String path, boolean prefix, String methodRestrict) {
        List<Entry> next = new ArrayList<>(List.of(entries));
        next.add(new Entry(path, prefix, methods(methodRestrict), new Match(consumer, false)));
        next.sort(Comparator.comparingInt((Entry e) -> e.path().length()).reversed());
        entries = next.toArray(new Entry[0]);
        notifyAll();
    }

    synchronized void unregister(GatewayHttpConsumer consumer) {
        List<Entry> next = new ArrayList<>(List.of(entries));
        next.removeIf(e -> e.match().consumer() == consumer);
        entries = next.toArray(new Entry[0]);
    }

    /** Whether a consumer path is one this table matches itself (no {@code {template}} segments). */
    static boolean servable(String path) {
        return path.indexOf('{') < 0 && path.startsWith("/");
    }

    private static Set<String> methods(String restrict) {
        if (restrict == null || restrict.isBlank()) {
            return null;
        }
        Set<String> methods = new java.util.HashSet<>();
        for (String m : restrict.split(",")) {
            if (!m.isBlank()) {
                methods.add(m.trim().toUpperCase(Locale.ROOT));
            }
        }
        return Set.copyOf(methods);
    }
}
