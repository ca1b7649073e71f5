package dev.apigateway.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The peers whose {@code X-Forwarded-For} the gateway believes ({@code TRUSTED_PROXIES}), and the client address
 * that follows from them: the TCP peer, unless it is trusted; then the rightmost address of
 * {@code X-Forwarded-For} that is not a trusted proxy itself (as nginx's {@code real_ip_recursive} does), never the
 * leftmost, which any client can write.
 */
public final class TrustedProxies {

    private static final Pattern LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final List<Cidr> ranges;

    private TrustedProxies(List<Cidr> ranges) {
        this.ranges = ranges;
    }

    /**
     * @param entries CIDRs ({@code 10.0.0.0/8}, {@code fd00::/8}) or single addresses
     * @throws IllegalArgumentException naming the entry that is not an IP literal or has a bad prefix length
     */
    public static TrustedProxies of(List<String> entries) {
        List<Cidr> ranges = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.trim();
            if (!entry.isEmpty()) {
                ranges.add(Cidr.parse(entry));
            }
        }
        return new TrustedProxies(List.copyOf(ranges));
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    public boolean isTrusted(String address) {
        if (ranges.isEmpty() || address == null) {
            return false;
        }
        byte[] bytes = literalBytes(address.trim());
        if (bytes == null) {
            return false;
        }
        for (Cidr range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client's address for this request.
     *
     * @param peer the TCP peer address
     * @param forwardedFor every {@code X-Forwarded-For} value the request carried, in order (may be empty)
     */
    public String clientAddress(String peer, List<String> forwardedFor) {
        if (!isTrusted(peer) || forwardedFor.isEmpty()) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String value : forwardedFor) {
            for (String hop : value.split(",")) {
                String h = hop.trim();
                if (!h.isEmpty()) {
                    hops.add(h);
                }
            }
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            if (literalBytes(hop) == null) {
                // Garbage in the chain: the last trustworthy statement is the hop after it.
                return i + 1 < hops.size() ? hops.get(i + 1) : peer;
            }
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return hops.isEmpty() ? peer : hops.get(0);
    }

    static byte[] literalBytes(String address) {
        String a = address;
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        if (!LITERAL.matcher(a).matches()) {
            return null; // never resolve names: only IP literals are compared
        }
        try {
            return InetAddress.getByName(a).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private record Cidr(byte[] network, int prefix, String text) {

        static Cidr parse(String entry) {
            int slash = entry.indexOf('/');
            String addr = slash < 0 ? entry : entry.substring(0, slash);
            byte[] bytes = literalBytes(addr);
            if (bytes == null) {
                throw new IllegalArgumentException("TRUSTED_PROXIES entry '" + entry + "' is not an IP address or CIDR");
            }
            int max = bytes.length * 8;
            int prefix = max;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > max) {
                    throw new IllegalArgumentException(
                            "TRUSTED_PROXIES entry '" + entry + "' has a prefix length outside 0.." + max);
                }
            }
            return new Cidr(bytes, prefix, entry);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
