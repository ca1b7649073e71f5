package dev.apigateway.bench.vertx;

import io.vertx.core.Vertx;
import java.net.URI;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The spike's one route: {@code /proxy/**} through the Redis limiter (unless {@code SPIKE_LIMITER=off}) to
 * {@code UPSTREAM_URL} with the prefix stripped, through camel-vertx-http ({@code SPIKE_UPSTREAM=camel}, the default)
 * or Vert.x's own client ({@code SPIKE_UPSTREAM=client}). Every step is async or instant: the consumer runs the route
 * on the request's event loop.
 */
@Component
class ProxyRoute extends RouteBuilder {

    private final ObjectProvider<RedisTokenBucketLimiter> limiter;
    private final Vertx vertx;
    private final String upstreamUrl;
    private final String upstream;
    private final int maxConnections;
    private final int connectTimeoutMillis;
    private final long timeoutMillis;

    ProxyRoute(ObjectProvider<RedisTokenBucketLimiter> limiter, Vertx vertx,
            @Value("${UPSTREAM_URL:http://localhost:5001}") String upstreamUrl,
            @Value("${SPIKE_UPSTREAM:camel}") String upstream,
            @Value("${UPSTREAM_MAX_CONNECTIONS:1000}") int maxConnections,
            @Value("${UPSTREAM_CONNECT_TIMEOUT_MS:2000}") int connectTimeoutMillis,
            @Value("${UPSTREAM_TIMEOUT:10}") long timeoutSeconds) {
        this.limiter = limiter;
        this.vertx = vertx;
        this.upstreamUrl = upstreamUrl;
        this.upstream = upstream;
        this.maxConnections = maxConnections;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.timeoutMillis = timeoutSeconds * 1000;
    }

    @Override
    public void configure() {
        RouteDefinition route = from("platform-http:/proxy?matchOnUriPrefix=true&useBodyHandler=false&muteException=true")
                .routeId("proxy");
        RedisTokenBucketLimiter redisLimiter = limiter.getIfAvailable();
        if (redisLimiter != null) {
            route.process(redisLimiter);
        }
        route.process(new StripPrefix("/proxy"));
        switch (upstream) {
            case "camel" -> route.to("vertx-http:" + upstreamUrl + "?bridgeEndpoint=true&throwExceptionOnFailure=false"
                    + "&timeout=" + timeoutMillis + "&webClientOptions=#upstreamClientOptions"
                    + "&vertxHttpBinding=#proxyResponseBinding");
            case "client" -> route.process(new VertxClientUpstream(vertx, URI.create(upstreamUrl), maxConnections,
                    connectTimeoutMillis, timeoutMillis));
            default -> throw new IllegalArgumentException("SPIKE_UPSTREAM must be camel or client, not " + upstream);
        }
    }
}
