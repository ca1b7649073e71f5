package dev.apigateway.testsupport;

import java.util.List;

/**
 * A redis-server process that speaks TLS on {@link #tlsPort()} with a certificate from {@link TestCertificates}
 * (clients are not asked for one: {@code --tls-auth-clients no}). Its plain port ({@link #node()}) stays open on
 * loopback for the test's own plumbing (FLUSHALL, reading keys); the gateway under test is given only
 * {@link #url()}, and a plain client on the TLS port gets no answer, so what it does went through TLS.
 */
public final class TlsRedisServer implements AutoCloseable {

    private final RedisNode node;
    private final int tlsPort;

    private TlsRedisServer(RedisNode node, int tlsPort) {
        this.node = node;
        this.tlsPort = tlsPort;
    }

    static TlsRedisServer start(TestCertificates certificates) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int tlsPort = ProcessRedisNode.freePort(false);
            try {
                return new TlsRedisServer(ProcessRedisNode.start(List.of(
                        "--tls-port", Integer.toString(tlsPort),
                        "--tls-cert-file", certificates.serverCertificate().toString(),
                        "--tls-key-file", certificates.serverKey().toString(),
                        "--tls-ca-cert-file", certificates.caCertificate().toString(),
                        "--tls-auth-clients", "no"), false), tlsPort);
            } catch (IllegalStateException e) {
                last = e; // the TLS port was taken meanwhile
            }
        }
        throw last;
    }

    /** The plain-text side, for test plumbing only. */
    public RedisNode node() {
        return node;
    }

    public int tlsPort() {
        return tlsPort;
    }

    /** {@code rediss://127.0.0.1:<tls port>}: what {@code REDIS_URL} is set to. */
    public String url() {
        return "rediss://" + node.host() + ":" + tlsPort;
    }

    @Override
    public void close() {
        node.close();
    }
}
