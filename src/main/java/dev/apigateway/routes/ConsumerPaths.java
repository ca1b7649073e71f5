package dev.apigateway.routes;

import java.util.List;

/**
 * The path a route's consumer serves on the gateway's port, whatever component it is ({@code platform-http},
 * {@code rest}, {@code rest-api}), checked against the gateway's own paths. A consumer of any other component serves
 * no path here (and needs to be allowed by {@code ROUTES_ALLOWED_COMPONENTS} in the first place).
 */
final class ConsumerPaths {

    /** Paths of the gateway itself: no route file may serve them or below them. */
    static final List<String> RESERVED = List.of("/proxy", "/health", "/actuator");

    private ConsumerPaths() {
    }

    /**
     * @param uri the consumer's URI, placeholders resolved
     * @return the platform-http path (checked like a template's {@code path}), or {@code null} for another component
     * @throws IllegalArgumentException when the path is malformed or belongs to the gateway
     */
    static String served(String uri) {
        if (uri.startsWith("platform-http:")) {
            String path = GatewayRouteParameters.requirePath(pathPart(uri.substring("platform-http:".length())));
            requireNotReserved(path);
            return path;
        }
        if (uri.startsWith("rest:")) {
            // rest:verb:path[:uriTemplate][?options]
            String[] parts = pathPart(uri.substring("rest:".length())).split(":", 3);
            String path = parts.length > 1 ? parts[1] : "";
            if (parts.length > 2) {
                path = path + "/" + parts[2];
            }
            requireNotReserved(path);
        } else if (uri.startsWith("rest-api:")) {
            requireNotReserved(pathPart(uri.substring("rest-api:".length())));
        }
        return null;
    }

    /**
     * A path, as Spring MVC will match it (duplicate slashes merged), must not be a reserved path, below one, the
     * root, or start with a template variable that would match one.
     */
    static void requireNotReserved(String raw) {
        String path = ("/" + raw).replaceAll("/+", "/");
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.equals("/") || path.startsWith("/{") || path.startsWith("/*")) {
            throw new IllegalArgumentException("path " + path + " would take the gateway's own paths ("
                    + String.join(", ", RESERVED) + ")");
        }
        for (String reserved : RESERVED) {
            if (path.equals(reserved) || path.startsWith(reserved + "/")) {
                throw new IllegalArgumentException("path " + path + " belongs to the gateway (" + reserved + ")");
            }
        }
    }

    private static String pathPart(String rest) {
        if (rest.startsWith("//")) {
            rest = rest.substring(1);
        }
        int q = rest.indexOf('?');
        return q >= 0 ? rest.substring(0, q) : rest;
    }
}
