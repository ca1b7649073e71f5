package dev.apigateway.admin;

import dev.apigateway.routes.RouteFiles;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The management port's settings check and the operator's read-only route-file view. */
@Configuration(proxyBeanMethods = false)
public class AdminConfiguration {

    /** Runs while the context starts, before any port is bound. */
    @Bean
    InitializingBean managementPortCheck(Environment environment, AdminProperties admin) {
        return () -> ManagementPortCheck.check(environment, admin);
    }

    @Bean
    @ConditionalOnAvailableEndpoint
    RouteFilesEndpoint routeFilesEndpoint(RouteFiles files) {
        return new RouteFilesEndpoint(files);
    }
}
