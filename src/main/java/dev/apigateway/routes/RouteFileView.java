package dev.apigateway.routes;

import java.time.Instant;
import java.util.List;

/**
 * What an operator sees of one route file: the routes running for it, which content they came from (the SHA-256 of
 * the file's bytes, as {@code sha256sum} prints it) and when that content was loaded, and, when the file's current
 * content was refused, its hash and why.
 *
 * @param loaded  null when no content of this file was ever loaded
 * @param refused null when the current content is the one running
 */
public record RouteFileView(String file, List<String> routes, Loaded loaded, Refused refused) {

    public record Loaded(String hash, Instant at) {
    }

    public record Refused(String hash, String reason) {
    }
}
