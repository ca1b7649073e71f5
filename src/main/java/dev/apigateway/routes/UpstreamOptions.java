package dev.apigateway.routes;

import dev.apigateway.config.GatewayProperties;
import dev.apigateway.proxy.UpstreamEndpoints;
import java.net.URI;
import java.time.Duration;
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

    private static final long TIMEOUT_MARKER_MS = 987_654_321L;

    /** The http producer options of {@link UpstreamEndpoints} with the given response timeout (text). */
    static String producerOptions(Duration connectTimeout, String responseTimeoutMillis) {
        String uri = UpstreamEndpoints.uri(URI.create("http://upstream"), Duration.ofMillis(TIMEOUT_MARKER_MS),
                connectTimeout);
        return uri.substring(uri.indexOf('?') + 1)
                .replace("responseTimeout=" + TIMEOUT_MARKER_MS, "responseTimeout=" + responseTimeoutMillis);
    }

    public static void register(CamelContext camel, GatewayProperties properties) {
        String options = producerOptions(properties.getUpstreamConnectTimeout(),
                Long.toString(properties.getUpstreamTimeout().toMillis()));
        String base = producerOptions(properties.getUpstreamConnectTimeout(), "")
                .replace("&responseTimeout=&", "&").replace("&responseTimeout=", "");
        camel.getPropertiesComponent().addInitialProperty(OPTIONS, options);
        camel.getPropertiesComponent().addInitialProperty(BASE_OPTIONS, base);
    }
}
