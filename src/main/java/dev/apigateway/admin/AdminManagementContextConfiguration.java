package dev.apigateway.admin;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * Beans of the management server's own (child) context, so they apply on the management port and nowhere else.
 * Listed in {@code META-INF/spring/...ManagementContextConfiguration.imports}.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
public class AdminManagementContextConfiguration {

    @Bean
    FilterRegistrationBean<AdminTokenFilter> adminTokenFilter(AdminProperties properties) {
        FilterRegistrationBean<AdminTokenFilter> registration =
                new FilterRegistrationBean<>(new AdminTokenFilter(properties.getToken()));
        registration.setEnabled(properties.tokenRequired());
        registration.addUrlPatterns("/*");
        return registration;
    }
}
