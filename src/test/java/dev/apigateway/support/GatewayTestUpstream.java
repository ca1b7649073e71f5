package dev.apigateway.support;

import dev.apigateway.upstream.UpstreamService;

/** The bundled upstream-service, started once per test JVM on a free loopback port, as the gateway's real upstream. */
public final class GatewayTestUpstream {

    private static UpstreamService upstream;

    private GatewayTestUpstream() {
    }

    public static synchronized UpstreamService get() {
        if (upstream == null) {
            upstream = UpstreamService.start("127.0.0.1", 0, 64);
            Runtime.getRuntime().addShutdownHook(new Thread(upstream::close));
        }
        return upstream;
    }
}
