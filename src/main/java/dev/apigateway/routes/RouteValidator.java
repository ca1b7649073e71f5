package dev.apigateway.routes;

import dev.apigateway.config.GatewayProperties;
import dev.apigateway.error.GatewayErrorConfiguration;
import dev.apigateway.proxy.ProxyRoute;
import dev.apigateway.proxy.UpstreamEndpoints;
import dev.apigateway.proxy.UpstreamHeaderFilterStrategy;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultConsumer;

/**
 * {@code java -jar api-gateway.jar --validate routes/}: checks route files offline exactly as the gateway loads
 * them ({@link RouteFileParser}, {@link RouteFiles}, the same order and the same cross-file checks), with no web
 * server and no Redis. One line per file, {@code OK} or the refusal; exit status 1 when any file is refused, 2 when
 * the folder cannot be read.
 */
public final class RouteValidator {

    private RouteValidator() {
    }

    /**
     * {@code --validate [dir]} from the command line: only warnings and the report are printed.
     *
     * @return the exit status
     */
    public static int commandLine(String[] args) {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        String dir = args.length > 1 ? args[1] : System.getenv().getOrDefault("ROUTES_DIR", "./routes");
        return validate(Path.of(dir), System.out);
    }

    /** @return the exit status */
    public static int validate(Path dir, PrintStream out) {
        if (!Files.isDirectory(dir)) {
            out.println("ERROR " + dir + ": not a folder");
            return 2;
        }
        GatewayProperties properties = new GatewayProperties();
        RouteSettingsRegistry registry = new RouteSettingsRegistry(properties);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getCamelContextExtension().setName("route-validator");
            // the gateway's named steps, as stand-ins: validation builds routes, it never runs them
            Processor step = exchange -> { };
            camel.getRegistry().bind("gatewayRateLimit", step);
            camel.getRegistry().bind("gatewayCircuitBreaker", step);
            camel.getRegistry().bind("gatewayForward", step);
            camel.getRegistry().bind("gatewayUpstream", step);
            camel.getRegistry().bind(UpstreamEndpoints.HEADER_FILTER_BEAN, new UpstreamHeaderFilterStrategy());
            // a platform-http engine that serves nothing: the routes are built and started, never called
            camel.getRegistry().bind(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME, new OfflineEngine());
            UpstreamOptions.register(camel, properties);
            camel.addRoutes(new GatewayErrorConfiguration());
            camel.addRoutes(new GatewayRouteTemplate(registry));
            camel.addRoutes(new org.apache.camel.builder.RouteBuilder() {
                @Override
                public void configure() {
                    // the built-in route's id is taken, as in the gateway
                    from("direct:" + ProxyRoute.ROUTE_ID).routeId(ProxyRoute.ROUTE_ID).log("unused");
                }
            });
            camel.start();
            RouteFiles files = new RouteFiles(camel, new RouteFileParser(camel, registry,
                    sandbox(System.getenv())), registry);
            RouteFileWatcher loader = new RouteFileWatcher(dir, files);
            Map<String, byte[]> contents = RouteFileWatcher.read(dir);
            quietly(loader::loadAll);
            Map<String, List<String>> loaded = files.loaded();
            Map<String, String> refused = files.refused();
            for (String file : contents.keySet()) {
                if (refused.containsKey(file)) {
                    out.println("REFUSED " + file + ": " + refused.get(file));
                } else if (loaded.containsKey(file)) {
                    out.println("OK " + file + " (routes: " + String.join(", ", loaded.get(file)) + ")");
                } else {
                    out.println("SKIPPED " + file + ": empty");
                }
            }
            if (contents.isEmpty()) {
                out.println("OK " + dir + ": no route files");
            }
            return refused.isEmpty() ? 0 : 1;
        } catch (Exception e) {
            out.println("ERROR " + dir + ": " + RouteFileParser.describe(e));
            return 2;
        }
    }

    /**
     * The sandbox the gateway will enforce: the one thing read from the environment, so that CI checks files against
     * the production policy when it sets {@code ROUTES_ALLOWED_COMPONENTS} / {@code ROUTES_ALLOWED_PLACEHOLDERS}.
     */
    static RouteSandbox sandbox(Map<String, String> env) {
        return new RouteSandbox(list(env.get("ROUTES_ALLOWED_COMPONENTS"), RouteSandbox.DEFAULT_COMPONENTS),
                list(env.get("ROUTES_ALLOWED_PLACEHOLDERS"), RouteSandbox.DEFAULT_PLACEHOLDERS));
    }

    private static List<String> list(String value, List<String> fallback) {
        return value == null || value.isBlank() ? fallback
                : java.util.Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    private static final class OfflineEngine implements PlatformHttpEngine {
        @Override
        public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
            return new OfflineConsumer(endpoint, processor);
        }
    }

    private static final class OfflineConsumer extends DefaultConsumer implements PlatformHttpConsumer {
        OfflineConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
            super(endpoint, processor);
        }

        @Override
        public PlatformHttpEndpoint getEndpoint() {
            return (PlatformHttpEndpoint) super.getEndpoint();
        }
    }

    private static void quietly(Runnable action) {
        // the gateway's log lines (route_file_loaded/refused) would repeat what the report prints
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.apigateway.routes");
        ch.qos.logback.classic.Level before = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.ERROR);
        try {
            action.run();
        } finally {
            logger.setLevel(before);
        }
    }
}
