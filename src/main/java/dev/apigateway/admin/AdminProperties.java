package dev.apigateway.admin;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code ADMIN_TOKEN}: when set, every state-changing request on the management port (anything but GET and HEAD,
 * e.g. forcing a breaker open) needs {@code Authorization: Bearer <token>}. Empty (the default): the management
 * port's own binding ({@code MANAGEMENT_ADDRESS}, loopback by default) is the only guard.
 */
@ConfigurationProperties("management.admin")
public class AdminProperties {

    private String token = "";

    public String getToken() {
        return token;
    }

    public void setToken(String token) {
        this.token = token == null ? "" : token.trim();
    }

    public boolean tokenRequired() {
        return !token.isEmpty();
    }
}
