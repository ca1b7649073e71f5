package dev.apigateway.proxy;

import dev.apigateway.config.GatewayProperties;
import dev.apigateway.observability.GatewayMetrics;
import dev.apigateway.tracing.GatewayTracer;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wiring of the proxy: the platform-http engine, the shared upstream connection pool, the named steps. */
@Configuration(proxyBeanMethods = false)
public class ProxyConfiguration {

    @Bean
    ProxySettings proxySettings(GatewayProperties properties, RouteBulkhead bulkhead) {
        return new ProxySettings(properties.getMaxRequestBodyBytes(), TrustedProxies.of(properties.getTrustedProxies()),
                bulkhead);
    }

    @Bean
    RouteBulkhead routeBulkhead(dev.apigateway.routes.RouteSettingsRegistry routes,
                                io.micrometer.core.instrument.MeterRegistry meters) {
        return new RouteBulkhead(routes, meters);
    }

    /**
     * The request deadline and body rate around every proxied request: applied by the
     * dispatch filter (not a servlet filter of its own, which proxied requests would never reach).
     */
    @Bean
    RequestLimitsFilter requestLimitsFilter(GatewayProperties properties, RequestDeadlines deadlines) {
        return new RequestLimitsFilter(deadlines, properties.getRequestBodyMinBytesPerSecond());
    }

    /** The timers that cut an upstream call at the request deadline (see {@link UpstreamDeadlineInterceptor}). */
    @Bean(destroyMethod = "close")
    RequestDeadlines requestDeadlines(GatewayProperties properties,
                                      dev.apigateway.error.GatewayErrorMetrics errorMetrics) {
        return new RequestDeadlines(properties.getRequestDeadline(), errorMetrics);
    }

    /** Spring Boot registers every Filter bean with the servlet container; this one runs inside the dispatch. */
    @Bean
    FilterRegistrationBean<RequestLimitsFilter> requestLimitsFilterNotInTheChain(RequestLimitsFilter limits) {
        FilterRegistrationBean<RequestLimitsFilter> registration = new FilterRegistrationBean<>(limits);
        registration.setEnabled(false);
        return registration;
    }

    /** Which running consumer serves a path; a request on a path being swapped waits up to 10 s for its route. */
    @Bean
    GatewayRouteTable gatewayRouteTable() {
        return new GatewayRouteTable(java.time.Duration.ofSeconds(10));
    }

    /** Replaces Camel's Spring Boot engine (it is {@code @ConditionalOnMissingBean}). */
    @Bean(name = "platform-http-engine")
    PlatformHttpEngine gatewayPlatformHttpEngine(@Value("${server.port:5000}") int port, ProxySettings settings,
                                                 GatewayMetrics metrics, GatewayRouteTable routes,
                                                 GatewayTracer tracer) {
        return new GatewayPlatformHttpEngine(port, settings, metrics, routes, tracer);
    }

    /**
     * First in the servlet chain: proxied requests go straight to their route, past Spring MVC. Requests only (an
     * error dispatch of Tomcat's goes to Spring's error controller).
     */
    @Bean
    FilterRegistrationBean<GatewayDispatchFilter> gatewayDispatchFilter(GatewayRouteTable routes,
                                                                        RequestLimitsFilter limits) {
        FilterRegistrationBean<GatewayDispatchFilter> registration =
                new FilterRegistrationBean<>(new GatewayDispatchFilter(routes, limits));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        registration.addUrlPatterns("/*");
        return registration;
    }

    @Bean(name = UpstreamEndpoints.HEADER_FILTER_BEAN)
    UpstreamHeaderFilterStrategy upstreamHeaderFilterStrategy() {
        return new UpstreamHeaderFilterStrategy();
    }

    /** The step that prepares the upstream call; YAML routes name it {@code gatewayForward}. */
    @Bean(name = "gatewayForward")
    UpstreamRequestProcessor gatewayForward() {
        return new UpstreamRequestProcessor();
    }

    /**
     * One pool for every route and upstream, sized for a gateway rather than camel-http's 20 per route, with
     * timeouts from the settings rather than its 3 minutes. Idle connections are checked before reuse so a
     * connection the upstream closed does not turn into a 502.
     */
    @Bean(destroyMethod = "close")
    PoolingHttpClientConnectionManager upstreamConnectionManager(GatewayProperties properties) {
        return PoolingHttpClientConnectionManagerBuilder.create()
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.STRICT)
                .setMaxConnTotal(properties.getUpstreamMaxConnections())
                .setMaxConnPerRoute(properties.getUpstreamMaxConnections())
                .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(properties.getUpstreamConnectTimeout()))
                        .setSocketTimeout(Timeout.of(properties.getUpstreamTimeout()))
                        .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                        .setTimeToLive(TimeValue.ofMinutes(5))
                        .build())
                .build();
    }

    /**
     * The http producer as a proxy: no cookie store (one client's cookies never ride on another's request), no
     * automatic retries (HttpClient would resend a 503/429 after its Retry-After, or a request whose connection
     * dropped), no decompression and no {@code Accept-Encoding} of its own (the client gets the upstream's bytes
     * and {@code Content-Encoding}), no redirects followed, every call cancelled at its request's deadline
     * ({@link UpstreamDeadlineInterceptor}). Applied to the {@code http} and {@code https}
     * components before any route creates an endpoint (the starter's properties reach {@code http} only).
     */
    @Bean
    CamelContextConfiguration upstreamHttpComponents(PoolingHttpClientConnectionManager connectionManager) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                for (String scheme : new String[] {"http", "https"}) {
                    HttpComponent component = camelContext.getComponent(scheme, HttpComponent.class);
                    component.setClientConnectionManager(connectionManager);
                    component.setCookieManagementDisabled(true);
                    component.setAutomaticRetriesDisabled(true);
                    component.setContentCompressionDisabled(true);
                    component.setRedirectHandlingDisabled(true);
                    component.setFollowRedirects(false);
                    component.setHttpClientConfigurer(UpstreamDeadlineInterceptor::install);
                }
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                // nothing
            }
        };
    }
}
