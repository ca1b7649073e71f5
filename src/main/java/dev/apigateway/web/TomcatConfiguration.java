package dev.apigateway.web;

import org.apache.catalina.core.StandardHost;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class TomcatConfiguration {

    /**
     * Every request's framing is checked as received ({@link StrictFramingHttp11NioProtocol}), and Tomcat refuses the
     * URIs the Servlet 6 specification calls suspicious (dot segments with path parameters or encoded dots, empty
     * segments with path parameters): they are answered 400 before any mapping sees them.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> strictRequestParsing() {
        return factory -> {
            factory.setProtocol(StrictFramingHttp11NioProtocol.class.getName());
            factory.addConnectorCustomizers(connector -> connector.setRejectSuspiciousURIs(true));
        };
    }

    /** Tomcat's error pages become the gateway's JSON errors. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonTomcatErrors() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
            }
        });
    }
}
