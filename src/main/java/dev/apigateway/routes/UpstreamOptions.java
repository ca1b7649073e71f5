package dev.apigateway.routes;

import dev.apigateway.config.GatewayProperties;
import org.apache.camel.CamelContext;

/**
 * The http producer options of the gateway's own routes, as Camel property placeholders for full YAML routes:
 * <pre>
 * - to: "http://localhost:5001?{{gateway.upstream-options}}"
 * - to: "http://localhost:5001?{{gateway.upstream-base-options}}&amp;responseTimeout=3000"
 * </pre>
 * {@code gateway.upstream-options} carries the global timeouts; {@code gateway.upstream-base-options} the connect
 * timeouts only, for a route that sets its own {@code responseTimeout} (milliseconds).
 */
public final class UpstreamOptions {

    public static final String OPTIONS = "gateway.upstream-options";
    public static final String BASE_OPTIONS = "gateway.upstream-base-options";

    private UpstreamOptions() {
    }

    public static void register(CamelContext camel, GatewayProperties properties) {
        String options = GatewayRouteTemplate.producerOptions(properties.getUpstreamConnectTimeout(),
                Long.toString(properties.getUpstreamTimeout().toMillis()));
        String base = GatewayRouteTemplate.producerOptions(properties.getUpstreamConnectTimeout(), "")
                .replace("&responseTimeout=&", "&").replace("&responseTimeout=", "");
        camel.getPropertiesComponent().addInitialProperty(OPTIONS, options);
        camel.getPropertiesComponent().addInitialProperty(BASE_OPTIONS, base);
    }
}
