package dev.apigateway;

import dev.apigateway.routes.RouteValidator;
import java.nio.file.Path;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--validate")) {
            // offline check of route files: no web server, no Redis (ROUTES.md)
            String dir = args.length > 1 ? args[1] : System.getenv().getOrDefault("ROUTES_DIR", "./routes");
            System.exit(RouteValidator.validate(Path.of(dir), System.out));
        }
        SpringApplication.run(GatewayApplication.class, args);
    }
}
