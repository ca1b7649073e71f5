package dev.apigateway.web;

import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.HttpCodeStatusMapper;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /health} (liveness) and {@code /health/readiness} on the traffic port, whatever {@code MANAGEMENT_PORT}
 * says, so load balancers and Kubernetes probes reach them where the traffic goes. They answer from Spring Boot's
 * own health groups; neither is proxied nor rate-limited.
 */
@RestController
public class HealthController {

    private final HealthEndpoint health;
    private final HttpCodeStatusMapper statusMapper;

    public HealthController(HealthEndpoint health, HttpCodeStatusMapper statusMapper) {
        this.health = health;
        this.statusMapper = statusMapper;
    }

    @GetMapping(path = "/health", produces = "application/json")
    public ResponseEntity<HealthComponent> liveness() {
        return answer(health.healthForPath("liveness"));
    }

    @GetMapping(path = "/health/readiness", produces = "application/json")
    public ResponseEntity<HealthComponent> readiness() {
        return answer(health.healthForPath("readiness"));
    }

    private ResponseEntity<HealthComponent> answer(HealthComponent component) {
        return ResponseEntity.status(statusMapper.getStatusCode(component.getStatus())).body(component);
    }
}
