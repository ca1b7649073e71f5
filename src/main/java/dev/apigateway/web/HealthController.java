package dev.apigateway.web;

import java.util.Map;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.HttpCodeStatusMapper;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /health} and {@code /health/liveness} (liveness) and {@code /health/readiness} on the traffic port, so load
 * balancers and Kubernetes probes reach them where the traffic goes. They answer from Spring Boot's own health
 * groups with the status alone ({@code {"status":"UP"}}): which component is down and why (route file faults,
 * store errors) is for operators, on the management port ({@code /actuator/health/readiness}). Neither is proxied
 * nor rate-limited.
 */
@RestController
public class HealthController {

    private final HealthEndpoint health;
    private final HttpCodeStatusMapper statusMapper;

    public HealthController(HealthEndpoint health, HttpCodeStatusMapper statusMapper) {
        this.health = health;
        this.statusMapper = statusMapper;
    }

    @GetMapping(path = {"/health", "/health/liveness"}, produces = "application/json")
    public ResponseEntity<Map<String, String>> liveness() {
        return answer(health.healthForPath("liveness"));
    }

    @GetMapping(path = "/health/readiness", produces = "application/json")
    public ResponseEntity<Map<String, String>> readiness() {
        return answer(health.healthForPath("readiness"));
    }

    private ResponseEntity<Map<String, String>> answer(HealthComponent component) {
        return ResponseEntity.status(statusMapper.getStatusCode(component.getStatus()))
                .body(Map.of("status", component.getStatus().getCode()));
    }
}
