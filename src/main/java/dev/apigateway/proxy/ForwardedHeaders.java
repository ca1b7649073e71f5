package dev.apigateway.proxy;

import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The forwarding headers of the upstream request. What a client says about earlier hops is believed only from a
 * {@code TRUSTED_PROXIES} peer; from anyone else it is dropped and the gateway states what it saw itself:
 * <ul>
 *   <li>{@code X-Forwarded-For}: the peer address is appended (to the chain the client sent);</li>
 *   <li>{@code X-Forwarded-Proto}, {@code -Host}, {@code -Port}, {@code X-Real-IP}: kept from a trusted peer that
 *   sent them, otherwise set to the scheme, {@code Host}, its port and the client address;</li>
 *   <li>{@code Forwarded} (RFC 7239, which Spring upstreams prefer): a trusted peer's elements are kept and the
 *   gateway's hop appended; otherwise it is replaced by the gateway's element alone;</li>
 *   <li>{@code X-Forwarded-Prefix}: kept from a trusted peer, otherwise dropped.</li>
 * </ul>
 */
final class ForwardedHeaders {

    private ForwardedHeaders() {
    }

    static void apply(Exchange exchange, Message in) {
        String peer = exchange.getProperty(GatewayExchange.PEER, String.class);
        boolean trusted = exchange.getProperty(GatewayExchange.PEER_TRUSTED, false, Boolean.class);
        String scheme = exchange.getProperty(GatewayExchange.ORIGINAL_SCHEME, String.class);
        String host = exchange.getProperty(GatewayExchange.ORIGINAL_HOST, String.class);

        String chain = text(in.getHeader(ProxyHeaders.FORWARDED_FOR));
        in.setHeader(ProxyHeaders.FORWARDED_FOR, chain == null || chain.isBlank() ? peer : chain + ", " + peer);

        String hop = forwardedElement(peer, host, scheme);
        String forwarded = trusted ? text(in.getHeader(ProxyHeaders.FORWARDED)) : null;
        in.setHeader(ProxyHeaders.FORWARDED, forwarded == null || forwarded.isBlank() ? hop : forwarded + ", " + hop);

        if (!trusted) {
            in.removeHeader(ProxyHeaders.FORWARDED_PREFIX);
        }
        setUnlessTrusted(in, trusted, ProxyHeaders.FORWARDED_PROTO, scheme);
        setUnlessTrusted(in, trusted, ProxyHeaders.FORWARDED_HOST, host);
        setUnlessTrusted(in, trusted, ProxyHeaders.FORWARDED_PORT, port(host, scheme));
        setUnlessTrusted(in, trusted, ProxyHeaders.REAL_IP, GatewayExchange.clientIp(exchange));
    }

    private static void setUnlessTrusted(Message in, boolean trusted, String name, String value) {
        if (trusted && in.getHeader(name) != null) {
            return;
        }
        if (value != null) {
            in.setHeader(name, value);
        } else {
            in.removeHeader(name);
        }
    }

    private static String text(Object value) {
        if (value instanceof List<?> list) {
            return String.join(", ", list.stream().map(String::valueOf).toList());
        }
        return value == null ? null : value.toString();
    }

    /** The port the client addressed: the one in {@code Host}, else the scheme's. */
    static String port(String host, String scheme) {
        if (host != null) {
            int bracket = host.lastIndexOf(']');
            int colon = host.lastIndexOf(':');
            if (colon > bracket && colon + 1 < host.length()) {
                String port = host.substring(colon + 1);
                if (port.chars().allMatch(Character::isDigit) && port.length() <= 5) {
                    return port;
                }
            }
        }
        return "https".equalsIgnoreCase(scheme) ? "443" : "80";
    }

    /** {@code for=...;host=...;proto=...}, with values quoted where RFC 7239 needs it (IPv6, a port). */
    static String forwardedElement(String peer, String host, String scheme) {
        StringBuilder sb = new StringBuilder("for=");
        sb.append(peer != null && peer.indexOf(':') >= 0 ? quoted("[" + peer + "]") : value(peer));
        if (host != null && !host.isEmpty()) {
            sb.append(";host=").append(value(host));
        }
        if (scheme != null) {
            sb.append(";proto=").append(value(scheme));
        }
        return sb.toString();
    }

    private static String value(String v) {
        if (v == null || v.isEmpty()) {
            return "unknown";
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 0x80) && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return quoted(v);
            }
        }
        return v;
    }

    private static String quoted(String v) {
        StringBuilder sb = new StringBuilder(v.length() + 2).append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
