package dev.apigateway.routes;

import dev.apigateway.error.GatewayErrorConfiguration;
import dev.apigateway.proxy.ProxyRoute;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.model.TemplatedRouteParameterDefinition;
import org.apache.camel.reifier.RouteReifier;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads one route file and builds its routes without adding them: the one code path behind the watcher, the start
 * and {@code --validate}. A file is accepted only when every route in it is valid; otherwise
 * {@link RouteFileException} says why, in one line.
 *
 * <p>Accepted: a YAML list whose items are {@code templatedRoute} (of the {@code gateway-route} template) or
 * {@code route}/{@code from} (a full route). Anything else at the top level ({@code beans}, {@code routeConfiguration},
 * {@code onException}, {@code rest}, ...) is refused: it would change the whole gateway, not the file's routes.
 * What the routes may use (components, beans, languages, placeholders) is the {@link RouteSandbox}'s to say.
 */
public class RouteFileParser {

    /** Paths of the gateway itself: no route file may serve them or below them. */
    public static final List<String> RESERVED_PATHS = ConsumerPaths.RESERVED;

    private static final Set<String> TOP_LEVEL = Set.of("route", "from", "templatedRoute", "templated-route");

    /** One route of a file: from the template ({@code spec} set) or written in full ({@code definition} set). */
    public record ParsedRoute(String id, String path, GatewayRouteParameters.Spec spec, RouteDefinition definition) {
    }

    public record ParsedFile(String file, List<ParsedRoute> routes) {
        public List<String> routeIds() {
            return routes.stream().map(ParsedRoute::id).toList();
        }
    }

    private final CamelContext camel;
    private final RouteSettingsRegistry defaults;
    private final RouteSandbox sandbox;

    /**
     * @param defaults the global settings (under a route id) a templated route starts from
     * @param sandbox  what the routes may use
     */
    public RouteFileParser(CamelContext camel, RouteSettingsRegistry defaults, RouteSandbox sandbox) {
        this.camel = camel;
        this.defaults = defaults;
        this.sandbox = sandbox;
    }

    /** Whether the content is empty or blank: a file being written, not a file to judge. */
    public static boolean isBlank(byte[] content) {
        for (byte b : content) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param idOwners   route ids already served, by the file serving them ({@code proxy} included)
     * @param pathOwners paths already served by other files, by the file serving them
     */
    public ParsedFile parse(String file, byte[] content, Map<String, String> idOwners,
                            Map<String, String> pathOwners) throws RouteFileException {
        String text = utf8(content);
        sandbox.checkText(checkShape(text));
        Camel first = camelParse(file, text);
        List<ParsedRoute> routes = new ArrayList<>();
        Map<String, String> ids = new HashMap<>();
        Map<String, String> paths = new HashMap<>();
        for (TemplatedRouteDefinition templated : first.templated) {
            ParsedRoute route = templated(templated);
            claim(route, ids, paths, idOwners, pathOwners);
            routes.add(route);
        }
        for (RouteDefinition definition : first.routes) {
            ParsedRoute route = full(definition);
            sandbox.checkRoute(camel, definition);
            claim(route, ids, paths, idOwners, pathOwners);
            build(route);
        }
        // The trial build may have touched the definitions: the routes to add come from a fresh read.
        for (RouteDefinition definition : camelParse(file, text).routes) {
            routes.add(full(definition));
        }
        return new ParsedFile(file, List.copyOf(routes));
    }

    private static String utf8(byte[] content) throws RouteFileException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new RouteFileException("not UTF-8 text");
        }
    }

    /** @return the YAML tree */
    private static Object checkShape(String text) throws RouteFileException {
        Object root;
        try {
            root = new Load(LoadSettings.builder().build()).loadFromString(text);
        } catch (RuntimeException e) {
            throw new RouteFileException("invalid YAML: " + oneLine(e.getMessage()));
        }
        if (root == null) {
            return null;
        }
        if (!(root instanceof List<?> items)) {
            throw new RouteFileException("a route file must be a YAML list of route, from or templatedRoute items");
        }
        int index = 0;
        for (Object item : items) {
            index++;
            if (!(item instanceof Map<?, ?> map) || map.size() != 1) {
                throw new RouteFileException("item " + index + " must be a map with one key: route, from or templatedRoute");
            }
            Object key = map.keySet().iterator().next();
            if (!TOP_LEVEL.contains(String.valueOf(key))) {
                throw new RouteFileException("item " + index + ": '" + key
                        + "' is not allowed in a route file (only route, from and templatedRoute)");
            }
            if (map.get(key) instanceof Map<?, ?> body && body.get("parameters") instanceof Map<?, ?>) {
                throw new RouteFileException("item " + index + ": templatedRoute parameters must be a list of"
                        + " {name: ..., value: ...} entries (Camel 4.17 does not accept a map)");
            }
        }
        return root;
    }

    private record Camel(List<RouteDefinition> routes, List<TemplatedRouteDefinition> templated) {
    }

    private Camel camelParse(String file, String text) throws RouteFileException {
        try {
            // the location names the file in Camel's messages ("... in orders.yaml, line 6, column 11")
            String location = file.endsWith(".yml") || file.endsWith(".yaml") ? file : file + ".yaml";
            Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(camel)
                    .findRoutesBuilders(ResourceHelper.fromString(location, text));
            List<RouteDefinition> routes = new ArrayList<>();
            List<TemplatedRouteDefinition> templated = new ArrayList<>();
            for (RoutesBuilder builder : builders) {
                RouteBuilder rb = (RouteBuilder) builder;
                rb.configureRoutes(camel);
                for (RouteDefinition route : rb.getRouteCollection().getRoutes()) {
                    if (route.getRouteConfigurationId() == null || route.getRouteConfigurationId().isBlank()) {
                        // The shared error answers apply unless the route names its configuration. Camel takes
                        // route configurations into account when it prepares a route, which the YAML loader
                        // already did: prepare it again.
                        route.setRouteConfigurationId(GatewayErrorConfiguration.ID);
                        route.markUnprepared();
                    }
                    rb.getRouteCollection().prepareRoute(route);
                    routes.add(route);
                }
                if (rb.getTemplatedRouteCollection().getTemplatedRoutes() != null) {
                    templated.addAll(rb.getTemplatedRouteCollection().getTemplatedRoutes());
                }
            }
            return new Camel(routes, templated);
        } catch (Exception e) {
            throw new RouteFileException(describe(e));
        }
    }

    private ParsedRoute templated(TemplatedRouteDefinition templated) throws RouteFileException {
        String id = templated.getRouteId();
        String where = id == null ? "templatedRoute" : "route " + id;
        if (!GatewayRouteParameters.TEMPLATE_ID.equals(templated.getRouteTemplateRef())) {
            throw new RouteFileException(where + ": unknown routeTemplateRef '" + templated.getRouteTemplateRef()
                    + "' (the gateway's template is " + GatewayRouteParameters.TEMPLATE_ID + ")");
        }
        if (id == null || id.isBlank()) {
            throw new RouteFileException("templatedRoute needs a routeId");
        }
        if (templated.getBeans() != null && !templated.getBeans().isEmpty()) {
            throw new RouteFileException(where + ": beans are not allowed in a route file");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        if (templated.getParameters() != null) {
            for (TemplatedRouteParameterDefinition p : templated.getParameters()) {
                String value = p.getValue();
                if (value != null && value.contains("{{")) {
                    // e.g. {{env:UPSTREAM_URL:http://localhost:5001}}: resolved once, when the file is loaded
                    try {
                        value = camel.resolvePropertyPlaceholders(value);
                    } catch (RuntimeException e) {
                        throw new RouteFileException(where + ": parameter " + p.getName() + ": " + describe(e));
                    }
                }
                if (params.put(p.getName(), value) != null) {
                    throw new RouteFileException(where + ": template parameter '" + p.getName() + "' given twice");
                }
            }
        }
        try {
            GatewayRouteParameters.Spec spec = GatewayRouteParameters.parse(id, params, defaults.defaultsFor(id),
                    defaults.singleLimitDefaults());
            return new ParsedRoute(id, spec.path(), spec, null);
        } catch (IllegalArgumentException e) {
            throw new RouteFileException(where + ": " + e.getMessage());
        }
    }

    private ParsedRoute full(RouteDefinition definition) throws RouteFileException {
        String id = definition.getRouteId();
        if (id == null || id.isBlank() || !definition.hasCustomIdAssigned()) {
            throw new RouteFileException("every route needs an id (route: {id: ..., from: ...})");
        }
        String where = "route " + id;
        try {
            GatewayRouteParameters.requireRouteId(id);
        } catch (IllegalArgumentException e) {
            throw new RouteFileException(e.getMessage());
        }
        String path;
        String uri = definition.getInput() == null ? null : definition.getInput().getEndpointUri();
        if (uri == null) {
            throw new RouteFileException(where + ": needs a from uri");
        }
        try {
            uri = camel.resolvePropertyPlaceholders(uri);
        } catch (RuntimeException e) {
            throw new RouteFileException(where + ": " + oneLine(e.getMessage()));
        }
        try {
            // every consumer that serves a path on the gateway's port, whatever its component
            path = ConsumerPaths.served(uri);
        } catch (IllegalArgumentException e) {
            throw new RouteFileException(where + ": " + e.getMessage());
        }
        return new ParsedRoute(id, path, null, definition);
    }

    private static void claim(ParsedRoute route, Map<String, String> ids, Map<String, String> paths,
                              Map<String, String> idOwners, Map<String, String> pathOwners) throws RouteFileException {
        String id = route.id();
        if (ProxyRoute.ROUTE_ID.equals(id)) {
            throw new RouteFileException("route id '" + id + "' is the gateway's own route");
        }
        if (ids.put(id, id) != null) {
            throw new RouteFileException("route id '" + id + "' is used twice in this file");
        }
        if (idOwners.containsKey(id)) {
            throw new RouteFileException("route id '" + id + "' is already used by " + idOwners.get(id));
        }
        String path = route.path();
        if (path == null) {
            return;
        }
        try {
            ConsumerPaths.requireNotReserved(path);
        } catch (IllegalArgumentException e) {
            throw new RouteFileException("route " + id + ": " + e.getMessage());
        }
        if (paths.put(path, id) != null) {
            throw new RouteFileException("route " + id + ": path " + path + " is served twice in this file");
        }
        if (pathOwners.containsKey(path)) {
            throw new RouteFileException("route " + id + ": path " + path + " is already served by "
                    + pathOwners.get(path));
        }
    }

    /** Builds the route as Camel would (endpoints, steps, bean references) without adding it. */
    private void build(ParsedRoute route) throws RouteFileException {
        try {
            new RouteReifier(camel, route.definition()).createRoute();
        } catch (RuntimeException e) {
            throw new RouteFileException("route " + route.id() + ": " + describe(e));
        }
    }

    static String describe(Throwable e) {
        Throwable root = e;
        String message = e.getMessage();
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            if (root.getMessage() != null) {
                message = root.getMessage();
            }
        }
        return oneLine(message == null ? root.getClass().getSimpleName() : message);
    }

    static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() > 400 ? line.substring(0, 400) + "..." : line;
    }
}
