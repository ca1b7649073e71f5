package dev.apigateway.routes;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The route files the gateway serves and what became of each: the routes it runs, or why its current content was
 * refused. Changes are applied one file at a time, all-or-nothing: a file's new routes are parsed and built first,
 * and only when every one is valid are its old routes stopped (in-flight requests finish, up to
 * {@link #STOP_TIMEOUT_SECONDS}) and removed and the new ones added. A refused file keeps its old routes serving.
 * Called from one thread at a time (the watcher; the start before it).
 */
public class RouteFiles {

    static final long STOP_TIMEOUT_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(RouteFiles.class);

    /**
     * One file: the content last judged, the routes running for it, the refusal of that content if any, and which
     * content those running routes came from and when it was loaded.
     */
    private record FileState(String hash, byte[] content, RouteFileParser.ParsedFile running, String refusal,
                             RouteFileView.Loaded loaded) {
    }

    private final CamelContext camel;
    private final RouteFileParser parser;
    private final RouteSettingsRegistry registry;
    private final Map<String, FileState> files = new TreeMap<>();
    /** What health and metrics read: never blocked by a swap draining in-flight requests. */
    private volatile Map<String, FileState> snapshot = Map.of();
    /** Holds request paths while their routes are swapped, so requests wait for the new route instead of a 404. */
    private java.util.function.Function<java.util.Collection<String>, ? extends AutoCloseable> pathHold =
            paths -> () -> { };

    public RouteFiles(CamelContext camel, RouteFileParser parser, RouteSettingsRegistry registry) {
        this.camel = camel;
        this.parser = parser;
        this.registry = registry;
    }

    /**
     * While a file's routes are swapped (old ones drained and removed, new ones added), its paths are held by
     * {@code hold}: the request path table makes requests on them wait for the new routes.
     */
    public void holdPathsWith(java.util.function.Function<java.util.Collection<String>, ? extends AutoCloseable> hold) {
        this.pathHold = hold;
    }

    /** {@code gateway_route_files{state="loaded|refused"}}: files whose current content runs, or was refused. */
    public void bindMetrics(MeterRegistry meters) {
        Gauge.builder("gateway.route.files", this, f -> f.count(false)).tag("state", "loaded")
                .description("Route files whose current content is loaded").register(meters);
        Gauge.builder("gateway.route.files", this, f -> f.count(true)).tag("state", "refused")
                .description("Route files whose current content was refused").register(meters);
    }

    private double count(boolean refused) {
        return snapshot.values().stream().filter(s -> (s.refusal() != null) == refused).count();
    }

    /** The hash of the content last judged for the file, or {@code null} if the gateway knows no such file. */
    public synchronized String judgedHash(String file) {
        FileState state = files.get(file);
        return state == null ? null : state.hash();
    }

    public synchronized List<String> knownFiles() {
        return new ArrayList<>(files.keySet());
    }

    public Map<String, List<String>> loaded() {
        Map<String, List<String>> out = new TreeMap<>();
        snapshot.forEach((name, s) -> {
            if (s.refusal() == null) {
                out.put(name, s.running() == null ? List.of() : s.running().routeIds());
            }
        });
        return out;
    }

    /** Every file the gateway knows, in name order, for the operator's read-only view. */
    public List<RouteFileView> views() {
        List<RouteFileView> out = new ArrayList<>();
        new TreeMap<>(snapshot).forEach((name, s) -> out.add(new RouteFileView(name,
                s.running() == null ? List.of() : s.running().routeIds(), s.loaded(),
                s.refusal() == null ? null : new RouteFileView.Refused(s.hash(), s.refusal()))));
        return out;
    }

    public Map<String, String> refused() {
        Map<String, String> out = new TreeMap<>();
        snapshot.forEach((name, s) -> {
            if (s.refusal() != null) {
                out.put(name, s.refusal());
            }
        });
        return out;
    }

    /**
     * Judges new content for a file and swaps its routes in when it is valid.
     *
     * @return whether the routes running changed
     */
    public synchronized boolean apply(String file, byte[] content, String hash) {
        FileState old = files.get(file);
        RouteFileParser.ParsedFile running = old == null ? null : old.running();
        RouteFileParser.ParsedFile parsed;
        try {
            parsed = parser.parse(file, content, idOwners(file), pathOwners(file));
        } catch (RouteFileException e) {
            refuse(file, hash, content, running, e.getMessage(), old);
            return false;
        } catch (RuntimeException e) {
            // a fault the checks did not name: still one file refused, never the gateway stopped
            refuse(file, hash, content, running, RouteFileParser.describe(e), old);
            return false;
        }
        try (AutoCloseable hold = pathHold.apply(paths(running, parsed))) {
            removeRoutes(running);
            try {
                addRoutes(parsed);
            } catch (Exception e) {
                // Should not happen after a successful build; put back what was serving.
                removeRoutes(parsed);
                restore(running);
                refuse(file, hash, content, running, RouteFileParser.describe(e), old);
                return true;
            }
        } catch (Exception e) {
            throw new IllegalStateException("releasing the paths of " + file + " failed", e);
        }
        files.put(file, new FileState(hash, content, parsed, null, new RouteFileView.Loaded(hash, Instant.now())));
        snapshot = Map.copyOf(files);
        LOG.atInfo().addKeyValue("event", "route_file_loaded").addKeyValue("file", file)
                .addKeyValue("routes", String.join(",", parsed.routeIds()))
                .log("Route file {} loaded: routes {}", file, parsed.routeIds());
        return true;
    }

    /** The file is gone: its routes are removed and their paths answer 404. */
    public synchronized void remove(String file) {
        FileState old = files.remove(file);
        if (old == null) {
            return;
        }
        snapshot = Map.copyOf(files);
        removeRoutes(old.running());
        LOG.atInfo().addKeyValue("event", "route_file_removed").addKeyValue("file", file)
                .log("Route file {} removed: routes {} stopped", file,
                        old.running() == null ? List.of() : old.running().routeIds());
    }

    /** Files refused for a clash with another file may be fine now that the other changed: judge them again. */
    public synchronized void retryRefused() {
        for (Map.Entry<String, FileState> e : new ArrayList<>(files.entrySet())) {
            FileState s = e.getValue();
            if (s.refusal() != null) {
                apply(e.getKey(), s.content(), s.hash());
            }
        }
    }

    private void refuse(String file, String hash, byte[] content, RouteFileParser.ParsedFile running, String reason,
                        FileState old) {
        files.put(file, new FileState(hash, content, running, reason, old == null ? null : old.loaded()));
        snapshot = Map.copyOf(files);
        if (old != null && reason.equals(old.refusal())) {
            return; // said once already
        }
        LOG.atWarn().addKeyValue("event", "route_file_refused").addKeyValue("file", file)
                .addKeyValue("reason", reason)
                .log("Route file {} refused: {}", file, reason);
    }

    private Map<String, String> idOwners(String except) {
        Map<String, String> owners = new HashMap<>();
        files.forEach((name, s) -> {
            if (!name.equals(except) && s.running() != null) {
                s.running().routes().forEach(r -> owners.put(r.id(), "file " + name));
            }
        });
        // routes the gateway runs that no file owns (the built-in proxy route, Java routes)
        camel.getRoutes().forEach(r -> {
            if (!owners.containsKey(r.getRouteId()) && !ownedBy(except, r.getRouteId())) {
                owners.put(r.getRouteId(), "the gateway");
            }
        });
        return owners;
    }

    private boolean ownedBy(String file, String routeId) {
        FileState s = files.get(file);
        return s != null && s.running() != null && s.running().routeIds().contains(routeId);
    }

    private Map<String, String> pathOwners(String except) {
        Map<String, String> owners = new HashMap<>();
        files.forEach((name, s) -> {
            if (!name.equals(except) && s.running() != null) {
                s.running().routes().forEach(r -> {
                    if (r.path() != null) {
                        owners.put(r.path(), "file " + name + " (route " + r.id() + ")");
                    }
                });
            }
        });
        return owners;
    }

    private static List<String> paths(RouteFileParser.ParsedFile... files) {
        List<String> paths = new ArrayList<>();
        for (RouteFileParser.ParsedFile f : files) {
            if (f != null) {
                f.routes().forEach(r -> {
                    if (r.path() != null) {
                        paths.add(r.path());
                    }
                });
            }
        }
        return paths;
    }

    private void removeRoutes(RouteFileParser.ParsedFile parsed) {
        if (parsed == null) {
            return;
        }
        for (String id : parsed.routeIds()) {
            try {
                if (camel.getRoute(id) != null) {
                    // graceful: in-flight exchanges on the route complete first, up to the timeout
                    camel.getRouteController().stopRoute(id, STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    camel.removeRoute(id);
                }
                Model model = model();
                RouteDefinition definition = model.getRouteDefinition(id);
                if (definition != null) {
                    model.removeRouteDefinition(definition);
                }
            } catch (Exception e) {
                LOG.atWarn().setCause(e).addKeyValue("event", "route_remove_failed").addKeyValue("route", id)
                        .log("Route {} could not be removed: {}", id, e.toString());
            }
            registry.remove(id);
        }
    }

    private void addRoutes(RouteFileParser.ParsedFile parsed) throws Exception {
        Model model = model();
        for (RouteFileParser.ParsedRoute route : parsed.routes()) {
            if (route.spec() != null) {
                registry.register(route.spec().settings());
                model.addRouteFromTemplate(route.id(), GatewayRouteParameters.TEMPLATE_ID,
                        GatewayRouteParameters.templateParameters(route.spec()));
            } else {
                model.addRouteDefinition(route.definition());
            }
        }
    }

    private void restore(RouteFileParser.ParsedFile running) {
        if (running == null) {
            return;
        }
        try {
            // fresh definitions: the ones just removed were used by Camel
            FileState s = files.get(running.file());
            if (s != null) {
                addRoutes(parser.parse(running.file(), s.content(), idOwners(running.file()),
                        pathOwners(running.file())));
            }
        } catch (Exception e) {
            LOG.atError().setCause(e).addKeyValue("event", "route_file_restore_failed")
                    .addKeyValue("file", running.file()).log("Routes of {} could not be restored", running.file());
        }
    }

    private Model model() {
        return camel.getCamelContextExtension().getContextPlugin(Model.class);
    }
}
