package dev.apigateway.store;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.boot.autoconfigure.data.redis.RedisConnectionDetails;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.util.StringUtils;

/**
 * Spring Boot's own Redis connection details, except that a blank {@code spring.data.redis.url}
 * counts as unset. {@code application.yml} maps {@code REDIS_URL} to it with an empty default, and
 * Boot refuses an empty URL ("The URL '' is not valid"), which would stop every start without
 * {@code REDIS_URL}, memory mode included. A set URL wins over host, port and password, as in Boot.
 * SSL bundles are not wired here; {@code rediss://} and {@code spring.data.redis.ssl.enabled} are
 * applied by Boot's Lettuce configuration from the properties.
 */
public class GatewayRedisConnectionDetails implements RedisConnectionDetails {

    private final RedisProperties properties;

    public GatewayRedisConnectionDetails(RedisProperties properties) {
        this.properties = properties;
    }

    @Override
    public String getUsername() {
        URI url = url();
        return url != null ? credentials(url)[0] : properties.getUsername();
    }

    @Override
    public String getPassword() {
        URI url = url();
        return url != null ? credentials(url)[1] : properties.getPassword();
    }

    @Override
    public Standalone getStandalone() {
        URI url = url();
        if (url != null) {
            int database = properties.getDatabase();
            String path = url.getPath();
            if (path != null && path.length() > 1) {
                database = Integer.parseInt(path.substring(1));
            }
            return Standalone.of(url.getHost(), url.getPort() > 0 ? url.getPort() : 6379, database);
        }
        return Standalone.of(properties.getHost(), properties.getPort(), properties.getDatabase());
    }

    @Override
    public Sentinel getSentinel() {
        RedisProperties.Sentinel sentinel = properties.getSentinel();
        if (sentinel == null || !StringUtils.hasText(sentinel.getMaster())) {
            return null;
        }
        return new Sentinel() {
            @Override
            public int getDatabase() {
                return properties.getDatabase();
            }

            @Override
            public String getMaster() {
                return sentinel.getMaster();
            }

            @Override
            public List<Node> getNodes() {
                return nodes(sentinel.getNodes());
            }

            @Override
            public String getUsername() {
                return sentinel.getUsername();
            }

            @Override
            public String getPassword() {
                return sentinel.getPassword();
            }
        };
    }

    @Override
    public Cluster getCluster() {
        RedisProperties.Cluster cluster = properties.getCluster();
        if (cluster == null || cluster.getNodes() == null || cluster.getNodes().isEmpty()) {
            return null;
        }
        List<Node> nodes = nodes(cluster.getNodes());
        return () -> nodes;
    }

    private URI url() {
        String url = properties.getUrl();
        return StringUtils.hasText(url) ? URI.create(url.trim()) : null;
    }

    /** {user, password} from the URL's user info; {@code redis://:secret@host} has no user. */
    private static String[] credentials(URI url) {
        String info = url.getRawUserInfo();
        if (info == null) {
            return new String[] {null, null};
        }
        int colon = info.indexOf(':');
        if (colon < 0) {
            return new String[] {null, decode(info)};
        }
        String user = info.substring(0, colon);
        return new String[] {user.isEmpty() ? null : decode(user), decode(info.substring(colon + 1))};
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static List<Node> nodes(List<String> nodes) {
        return nodes == null ? List.of() : nodes.stream().map(GatewayRedisConnectionDetails::node).toList();
    }

    private static Node node(String node) {
        int colon = node.lastIndexOf(':');
        return new Node(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)));
    }
}
