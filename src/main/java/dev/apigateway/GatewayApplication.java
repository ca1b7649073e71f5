package dev.apigateway;

import dev.apigateway.routes.RouteValidator;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--validate")) {
            // offline check of route files: no web server, no Redis (ROUTES.md)
            System.exit(RouteValidator.commandLine(args));
        }
        SpringApplication.run(GatewayApplication.class, args);
    }
}
