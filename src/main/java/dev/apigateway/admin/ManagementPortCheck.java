package dev.apigateway.admin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.core.env.Environment;

/**
 * Keeps the actuator, with its state-changing operations, off the public port: the start stops when
 * {@code MANAGEMENT_PORT} is empty or equal to {@code PORT} (Spring Boot would then serve the actuator on the
 * public port). {@code -1} turns the management server off. Warns once when the management port listens beyond
 * loopback without {@code ADMIN_TOKEN}.
 */
final class ManagementPortCheck {

    static final String PORT = "management.server.port";
    static final String ADDRESS = "management.server.address";

    private static final Logger LOG = LoggerFactory.getLogger(ManagementPortCheck.class);

    private ManagementPortCheck() {
    }

    static void check(Environment environment, AdminProperties admin) {
        ManagementPortType type = ManagementPortType.get(environment);
        String port = environment.getProperty(PORT);
        if (type == ManagementPortType.SAME) {
            String why = port == null || port.isBlank() ? "must be set"
                    : "must differ from PORT (" + environment.getProperty("server.port") + ")";
            throw new InvalidManagementSettingException("MANAGEMENT_PORT", PORT, port, why
                    + ": the management port serves operations that change state and must not be the public one"
                    + " (-1 turns it off)");
        }
        if (type == ManagementPortType.DIFFERENT && !admin.tokenRequired() && !loopback(environment)) {
            LOG.atWarn().addKeyValue("event", "admin_token_missing")
                    .addKeyValue("management_address", environment.getProperty(ADDRESS, "0.0.0.0"))
                    .log("The management port {} listens on {} without ADMIN_TOKEN: anyone who reaches it can force"
                            + " circuit breakers", port, environment.getProperty(ADDRESS, "every address"));
        }
    }

    private static boolean loopback(Environment environment) {
        String address = environment.getProperty(ADDRESS);
        if (address == null || address.isBlank()) {
            return false;
        }
        try {
            return InetAddress.getByName(address.trim()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false; // Boot refuses the address itself when it binds
        }
    }
}
