package dev.apigateway.routes;

import dev.apigateway.proxy.UpstreamEndpoints;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.DynamicRouterDefinition;
import org.apache.camel.model.EnrichDefinition;
import org.apache.camel.model.KameletDefinition;
import org.apache.camel.model.PollEnrichDefinition;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.model.RecipientListDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RoutingSlipDefinition;
import org.apache.camel.model.language.ExpressionDefinition;

/**
 * What a route file may use: route files are code run inside the gateway, with its network position and its
 * environment, so they get a small sandbox (ROUTES.md, "Trust model"). Checked on the file's text and on the routes
 * Camel parsed from it, before anything is built:
 * <ul>
 *   <li>every endpoint's component is one of {@code ROUTES_ALLOWED_COMPONENTS}; no dynamic endpoint ({@code toD},
 *   {@code recipientList}, {@code routingSlip}, {@code dynamicRouter}, {@code enrich}, {@code pollEnrich}, a
 *   {@code wireTap} with an expression), whose target would only be known per request;</li>
 *   <li>the only beans a file may name are the gateway's own steps (and the upstream header filter in the producer
 *   options); expressions only in {@link #LANGUAGES}, and the simple language without the functions that reach out
 *   of the exchange ({@code ${env...}}, {@code ${sys...}}, {@code ${bean:...}}, {@code ${camelContext...}}, method
 *   calls, ...);</li>
 *   <li>a property placeholder {@code {{...}}} only for a key of {@code ROUTES_ALLOWED_PLACEHOLDERS}: a file can
 *   name the upstream from the environment, never read a secret out of it.</li>
 * </ul>
 */
public final class RouteSandbox {

    public static final List<String> DEFAULT_COMPONENTS = List.of("platform-http", "http", "https", "direct", "log");
    public static final List<String> DEFAULT_PLACEHOLDERS = List.of("env:UPSTREAM_URL", UpstreamOptions.OPTIONS,
            UpstreamOptions.BASE_OPTIONS);
    /** The gateway's named steps, the only processors a file may refer to. */
    public static final Set<String> GATEWAY_STEPS = Set.of("gatewayRateLimit", "gatewayCircuitBreaker",
            "gatewayForward", "gatewayUpstream");
    /** Languages that read the message only. */
    public static final Set<String> LANGUAGES = Set.of("constant", "simple", "header", "exchangeProperty", "variable");

    private static final Set<String> BEANS_IN_OPTIONS = Set.of(UpstreamEndpoints.HEADER_FILTER_BEAN);
    private static final Pattern COMPONENT = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Pattern PLACEHOLDER_KEY = Pattern.compile("[A-Za-z0-9_.:-]+\\*?");
    /** Simple functions that read the exchange and nothing else: no method calls, no other beans, no environment. */
    private static final Pattern SIMPLE_FUNCTION = Pattern.compile("(in\\.)?(body|bodyAs\\([\\w.]+\\)"
            + "|mandatoryBodyAs\\([\\w.]+\\)|(headers?|exchangeProperty|variable)[.:\\[][^(){}$]*"
            + "|id|exchangeId|routeId|fromRouteId|messageTimestamp|date:[^(){}$]*|null|true|false)");
    private static final Pattern BEAN_OPTION = Pattern.compile("[?&][^=&]+=(#[^&]*)");
    /** Model getters that name no bean: the node's own id and texts. */
    private static final Set<String> NOT_REFERENCES = Set.of("getId", "getName", "getDescription", "getExpression",
            "getLanguage", "getUri", "getEndpointUri", "getRouteId", "getMessage", "getLabel", "getShortName",
            "getRouteConfigurationId", "getLogName", "getLoggingLevel", "getGroup", "getNodePrefixId",
            "getCustomId", "getLocation", "getResultType", "getPattern");

    private final Set<String> components;
    private final Set<String> placeholders;

    /**
     * @param components   component schemes a route file may use ({@code ROUTES_ALLOWED_COMPONENTS})
     * @param placeholders placeholder keys a route file may use, {@code env:NAME} or a property; a trailing
     *                     {@code *} allows every key with that prefix ({@code ROUTES_ALLOWED_PLACEHOLDERS})
     */
    public RouteSandbox(Collection<String> components, Collection<String> placeholders) {
        this.components = Set.copyOf(requireComponents(components));
        this.placeholders = Set.copyOf(requirePlaceholders(placeholders));
    }

    public static RouteSandbox defaults() {
        return new RouteSandbox(DEFAULT_COMPONENTS, DEFAULT_PLACEHOLDERS);
    }

    /** @throws IllegalArgumentException naming the entry that is not a component scheme */
    public static List<String> requireComponents(Collection<String> components) {
        for (String c : components) {
            if (c == null || !COMPONENT.matcher(c.trim()).matches()) {
                throw new IllegalArgumentException("'" + c + "' is not a component scheme (e.g. http, direct, log)");
            }
        }
        return components.stream().map(String::trim).toList();
    }

    /** @throws IllegalArgumentException naming the entry that is not a placeholder key */
    public static List<String> requirePlaceholders(Collection<String> placeholders) {
        for (String p : placeholders) {
            if (p == null || !PLACEHOLDER_KEY.matcher(p.trim()).matches()) {
                throw new IllegalArgumentException("'" + p
                        + "' is not a placeholder key (env:NAME, a property name, or a prefix ending in *)");
            }
        }
        return placeholders.stream().map(String::trim).toList();
    }

    /** Every string of the file as written (keys and values, not comments): placeholders and simple functions. */
    public void checkText(Object yaml) throws RouteFileException {
        if (yaml instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                checkText(e.getKey());
                checkText(e.getValue());
            }
        } else if (yaml instanceof Collection<?> items) {
            for (Object item : items) {
                checkText(item);
            }
        } else if (yaml instanceof String text) {
            checkPlaceholders(text);
            checkSimple(text);
        }
    }

    private void checkPlaceholders(String text) throws RouteFileException {
        for (int at = text.indexOf("{{"); at >= 0; at = text.indexOf("{{", at + 2)) {
            int end = text.indexOf("}}", at + 2);
            String inner = end < 0 ? text.substring(at + 2) : text.substring(at + 2, end);
            if (inner.contains("{{") || inner.contains("${") || !placeholderAllowed(inner)) {
                throw new RouteFileException("placeholder {{" + inner + "}} is not allowed in a route file"
                        + " (allowed: " + String.join(", ", new java.util.TreeSet<>(placeholders))
                        + "; ROUTES_ALLOWED_PLACEHOLDERS)");
            }
        }
    }

    private boolean placeholderAllowed(String inner) {
        String key = inner.startsWith("?") || inner.startsWith("!") ? inner.substring(1) : inner;
        for (String allowed : placeholders) {
            if (allowed.endsWith("*")) {
                String prefix = allowed.substring(0, allowed.length() - 1);
                // the rest of the key, up to its default value, stays within one name
                if (key.startsWith(prefix) && !key.substring(prefix.length()).split(":", 2)[0].isEmpty()) {
                    return true;
                }
            } else if (key.equals(allowed) || key.startsWith(allowed + ":")) {
                return true; // the key, or the key and a default value
            }
        }
        return false;
    }

    private static void checkSimple(String text) throws RouteFileException {
        Matcher start = Pattern.compile("\\$(simple)?\\{").matcher(text);
        while (start.find()) {
            int end = text.indexOf('}', start.end());
            String function = end < 0 ? text.substring(start.end()) : text.substring(start.end(), end);
            if (!SIMPLE_FUNCTION.matcher(function.trim()).matches()) {
                throw new RouteFileException("expression ${" + function + "} is not allowed in a route file"
                        + " (simple may read the message: body, header.X, exchangeProperty.X, variable.X, id, date:...)");
            }
        }
    }

    /** The routes as Camel parsed them, placeholders not yet resolved. */
    public void checkRoute(CamelContext camel, RouteDefinition route) throws RouteFileException {
        String where = "route " + route.getRouteId() + ": ";
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        try {
            visit(camel, route, seen);
        } catch (RouteFileException e) {
            throw new RouteFileException(where + e.getMessage());
        }
    }

    private void visit(CamelContext camel, Object node, Map<Object, Boolean> seen) throws RouteFileException {
        if (node == null || seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            for (Object item : items) {
                visit(camel, item, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            for (Object value : map.values()) {
                visit(camel, value, seen);
            }
            return;
        }
        if (!node.getClass().getName().startsWith("org.apache.camel.model.")) {
            return;
        }
        checkNode(camel, node);
        for (Method getter : node.getClass().getMethods()) {
            if (!getter.getName().startsWith("get") || getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers()) || getter.getName().equals("getParent")
                    || getter.getReturnType().isPrimitive()) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (value instanceof String text) {
                checkReference(camel, getter.getName(), text);
            } else {
                visit(camel, value, seen);
            }
        }
    }

    private void checkNode(CamelContext camel, Object node) throws RouteFileException {
        if (node instanceof RecipientListDefinition || node instanceof RoutingSlipDefinition
                || node instanceof DynamicRouterDefinition || node instanceof EnrichDefinition
                || node instanceof PollEnrichDefinition) {
            throw new RouteFileException(((org.apache.camel.model.ProcessorDefinition<?>) node).getShortName()
                    + " is not allowed in a route file: its endpoints are only known per request");
        }
        if (node instanceof KameletDefinition) {
            requireComponent("kamelet");
        }
        // a processor object comes from Java (the shared error answers merged in), never from a file
        if (node instanceof ProcessDefinition process && process.getProcessor() == null
                && (process.getRef() == null || !GATEWAY_STEPS.contains(process.getRef()))) {
            throw new RouteFileException("process ref '" + process.getRef() + "' is not a gateway step (allowed: "
                    + String.join(", ", new java.util.TreeSet<>(GATEWAY_STEPS)) + ")");
        }
        if (node instanceof BeanDefinition bean && (bean.getRef() == null || !GATEWAY_STEPS.contains(bean.getRef()))) {
            throw new RouteFileException("bean '" + (bean.getRef() != null ? bean.getRef() : bean.getBeanType())
                    + "' is not allowed in a route file (only the gateway steps)");
        }
        if (node instanceof ExpressionDefinition expression && expression.getLanguage() != null
                && !LANGUAGES.contains(expression.getLanguage())) {
            throw new RouteFileException("language '" + expression.getLanguage() + "' is not allowed in a route file"
                    + " (allowed: " + String.join(", ", new java.util.TreeSet<>(LANGUAGES)) + ")");
        }
        String uri = uriOf(node);
        if (uri != null) {
            checkEndpoint(camel, uri);
        }
    }

    private static String uriOf(Object node) {
        try {
            Method getUri = node.getClass().getMethod("getUri");
            return getUri.getReturnType() == String.class ? (String) getUri.invoke(node) : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private void checkEndpoint(CamelContext camel, String uri) throws RouteFileException {
        String resolved;
        try {
            resolved = camel.resolvePropertyPlaceholders(uri);
        } catch (RuntimeException e) {
            throw new RouteFileException("endpoint " + uri + ": " + RouteFileParser.describe(e));
        }
        if (resolved.contains("${") || resolved.contains("$simple{")) {
            throw new RouteFileException("endpoint " + uri
                    + " is dynamic; a route file may only send to fixed endpoints");
        }
        int colon = resolved.indexOf(':');
        requireComponent(colon > 0 ? resolved.substring(0, colon).toLowerCase(Locale.ROOT) : resolved);
        Matcher option = BEAN_OPTION.matcher(resolved);
        while (option.find()) {
            String bean = option.group(1).replaceFirst("^#bean:", "#").substring(1);
            if (!BEANS_IN_OPTIONS.contains(bean)) {
                throw new RouteFileException("endpoint option " + option.group(1)
                        + " refers to a bean or class; a route file may not");
            }
        }
    }

    private void requireComponent(String scheme) throws RouteFileException {
        if (!components.contains(scheme)) {
            throw new RouteFileException("component '" + scheme + "' is not allowed (allowed: "
                    + String.join(", ", new java.util.TreeSet<>(components)) + "; ROUTES_ALLOWED_COMPONENTS)");
        }
    }

    /** A string option of an EIP that names a bean of the registry (an aggregation strategy, an executor...). */
    private static void checkReference(CamelContext camel, String getter, String text) throws RouteFileException {
        if (NOT_REFERENCES.contains(getter) || text.isBlank()) {
            return;
        }
        String name = text.startsWith("#bean:") ? text.substring(6) : text.startsWith("#") ? text.substring(1) : text;
        if (text.startsWith("#class:") || text.startsWith("#type:")) {
            throw new RouteFileException(text + " creates or looks up an object; a route file may not");
        }
        if (!GATEWAY_STEPS.contains(name) && !BEANS_IN_OPTIONS.contains(name)
                && camel.getRegistry().lookupByName(name) != null) {
            throw new RouteFileException("'" + text + "' refers to the gateway's bean " + name
                    + "; a route file may name only the gateway steps");
        }
    }
}
