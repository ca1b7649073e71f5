package dev.apigateway.targets;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A route's upstream: one or more targets, {@code URL[;weight=N],...}, and whether a failed attempt may be retried
 * on another target. A single URL is a one-target upstream and behaves as before (no balancing, no ejection, no
 * retry: there is no other target to go to).
 *
 * @param targets     in the order written; at least one
 * @param retries     whether a request that could not reach one target may go to another ({@code upstreamRetries})
 * @param healthCheck the active health check of the targets ({@link ActiveHealthCheck#OFF}: passive health only)
 */
public record UpstreamTargets(List<Target> targets, boolean retries, ActiveHealthCheck healthCheck) {

    public static final int MAX_TARGETS = 64;
    public static final int MAX_WEIGHT = 1000;

    /**
     * One upstream instance.
     *
     * @param url    base URL, without a trailing slash; the request's path is appended to its path
     * @param weight share of the requests, relative to the other targets' (1-1000)
     * @param label  the {@code target} label of its metrics: {@code host:port} and the base path, if any
     */
    public record Target(URI url, int weight, String label) {
    }

    public UpstreamTargets {
        targets = List.copyOf(targets);
        healthCheck = healthCheck == null ? ActiveHealthCheck.OFF : healthCheck;
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("must name at least one target");
        }
    }

    /**
     * @param text {@code URL[;weight=N]}, comma-separated
     * @throws IllegalArgumentException saying what is wrong with which target; the message starts with "must"
     */
    public static UpstreamTargets parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("must name at least one absolute http:// or https:// URL");
        }
        String[] parts = text.split(",", -1);
        if (parts.length > MAX_TARGETS) {
            throw new IllegalArgumentException("must name at most " + MAX_TARGETS + " targets, named " + parts.length);
        }
        List<Target> targets = new ArrayList<>(parts.length);
        Set<String> seen = new HashSet<>();
        for (String part : parts) {
            Target target = target(part.trim(), parts.length > 1);
            if (!seen.add(target.label())) {
                throw new IllegalArgumentException("must not name a target twice (" + target.label() + ")");
            }
            targets.add(target);
        }
        return new UpstreamTargets(targets, true, ActiveHealthCheck.OFF);
    }

    /** For Spring's binding of {@code UPSTREAM_URL}: {@link #parse}. */
    public static UpstreamTargets valueOf(String text) {
        return parse(text);
    }

    private static Target target(String part, boolean several) {
        String[] pieces = part.split(";", -1);
        String where = several ? " (target '" + part + "')" : "";
        URI url;
        try {
            String text = pieces[0].trim();
            while (text.endsWith("/")) {
                text = text.substring(0, text.length() - 1);
            }
            url = requireHttpUrl(URI.create(text));
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage() != null && e.getMessage().startsWith("must") ? e.getMessage()
                    : "must be an absolute http:// or https:// URL with a host";
            throw new IllegalArgumentException(reason + where);
        }
        int weight = 1;
        for (int i = 1; i < pieces.length; i++) {
            String option = pieces[i].replace(" ", "");
            if (!option.startsWith("weight=")) {
                throw new IllegalArgumentException("must have only a weight after the URL, as URL;weight=N" + where);
            }
            try {
                weight = Integer.parseInt(option.substring("weight=".length()).trim());
            } catch (NumberFormatException e) {
                weight = 0;
            }
            if (weight < 1 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("must have a weight between 1 and " + MAX_WEIGHT + where);
            }
        }
        return new Target(url, weight, label(url));
    }

    /** @throws IllegalArgumentException unless the URI is an absolute http or https URL with a host */
    public static URI requireHttpUrl(URI url) {
        if (url == null || url.getScheme() == null || url.getHost() == null
                || !(url.getScheme().equalsIgnoreCase("http") || url.getScheme().equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("must be an absolute http:// or https:// URL with a host");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("must not have a query or a fragment");
        }
        return url;
    }

    private static String label(URI url) {
        int port = url.getPort() != -1 ? url.getPort() : url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return url.getHost() + ":" + port + path;
    }

    public UpstreamTargets withRetries(boolean retries) {
        return new UpstreamTargets(targets, retries, healthCheck);
    }

    public UpstreamTargets withHealthCheck(ActiveHealthCheck check) {
        return new UpstreamTargets(targets, retries, check);
    }

    public int size() {
        return targets.size();
    }

    /** The first target's URL (the only one of a one-target upstream). */
    public URI first() {
        return targets.get(0).url();
    }

    /** As written in a setting: {@code URL[;weight=N],...}, trailing slashes dropped, weight 1 left out. */
    @Override
    public String toString() {
        return targets.stream().map(t -> t.weight() == 1 ? t.url().toString() : t.url() + ";weight=" + t.weight())
                .collect(Collectors.joining(","));
    }
}
