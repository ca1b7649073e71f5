package dev.apigateway.admin;

import dev.apigateway.routes.RouteFileView;
import dev.apigateway.routes.RouteFiles;
import java.util.List;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET /actuator/routefiles} on the management port, read-only: every route file this instance knows, the
 * routes running for it, the SHA-256 of the content they came from and when it was loaded, and a refused
 * content's hash and reason. The same folder gives the same hashes on every pod, so comparing them shows that
 * every instance converged after a ConfigMap change.
 */
@Endpoint(id = "routefiles")
public class RouteFilesEndpoint {

    private final RouteFiles files;

    public RouteFilesEndpoint(RouteFiles files) {
        this.files = files;
    }

    public record View(List<RouteFileView> files) {
    }

    @ReadOperation
    public View routeFiles() {
        return new View(files.views());
    }
}
