package dev.apigateway.targets;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * An optional active health check of a route's targets: {@code GET path} on each target every {@code interval}; a
 * target answering below 400 is healthy. {@code unhealthyThreshold} failed checks in a row take it out of rotation,
 * {@code healthyThreshold} good ones in a row bring it back (Kong's and Envoy's active checks). Off while the path
 * is empty; the other values are then the defaults a route that sets a path gets.
 */
public record ActiveHealthCheck(String path, Duration interval, int healthyThreshold, int unhealthyThreshold) {

    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._~!$&'()*+,;=:@%-]*)+");

    /** No active check; 10 s, 2 and 3 if a route turns it on. */
    public static final ActiveHealthCheck OFF = new ActiveHealthCheck("", Duration.ofSeconds(10), 2, 3);

    public ActiveHealthCheck {
        path = path == null ? "" : path.trim();
        if (!path.isEmpty() && !PATH.matcher(path).matches()) {
            throw new IllegalArgumentException("health check path '" + path
                    + "' must start with / and hold only URL path characters");
        }
        if (interval.toSeconds() < 1 || interval.toSeconds() > 3600) {
            throw new IllegalArgumentException("health check interval must be 1-3600 seconds, was "
                    + interval.toSeconds());
        }
        if (healthyThreshold < 1 || healthyThreshold > 100 || unhealthyThreshold < 1 || unhealthyThreshold > 100) {
            throw new IllegalArgumentException("health check thresholds must be 1-100, were " + healthyThreshold
                    + " (healthy) and " + unhealthyThreshold + " (unhealthy)");
        }
    }

    public boolean enabled() {
        return !path.isEmpty();
    }
}
