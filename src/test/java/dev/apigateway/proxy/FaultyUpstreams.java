package dev.apigateway.proxy;

import static dev.apigateway.proxy.FaultyUpstream.reset;
import static dev.apigateway.proxy.FaultyUpstream.send;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * One upstream per way an upstream call can fail, each behind a YAML route of its own (route id = its name), started
 * once per test JVM. Every one listens on 127.0.0.1 only.
 */
final class FaultyUpstreams {

    /** "hello, gzip", gzip-compressed, as the {@code gzip} upstream sends it. */
    static final byte[] GZIP_BODY = gzip("hello, gzip");

    private static FaultyUpstreams instance;

    final Path routesDir;
    final Map<String, String> routes = new LinkedHashMap<>();
    final List<AutoCloseable> resources = new ArrayList<>();
    /** The body of the {@code slow} upstream (the default route's) drips until this opens. */
    volatile CountDownLatch slowRelease = new CountDownLatch(1);
    /** The mid-body upstreams die when this opens. */
    volatile CountDownLatch dieNow = new CountDownLatch(1);
    FaultyUpstream slow;

    private FaultyUpstreams() throws Exception {
        routesDir = Files.createTempDirectory(Path.of("target"), "faulty-routes");
        slow = track(FaultyUpstream.start((socket, out) -> {
            send(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
            CountDownLatch release = slowRelease;
            while (!release.await(200, TimeUnit.MILLISECONDS)) {
                send(out, "1\r\n.\r\n");
            }
            send(out, "0\r\n\r\n");
        }));
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            routes.put("refused", "http://127.0.0.1:" + closed.getLocalPort());
        }
        routes.put("backlog", "http://127.0.0.1:" + fullBacklog());
        routes.put("halfhead", track(FaultyUpstream.start((socket, out) -> {
            send(out, "HTTP/1.1 200 OK\r\nContent-Ty");
            reset(socket);
        })).url("http"));
        routes.put("silent", track(FaultyUpstream.start((socket, out) -> socket.getInputStream().read())).url("http"));
        routes.put("unknown", "http://upstream.gateway-test.invalid");
        routes.put("plainport", track(FaultyUpstream.startRaw((socket, out) -> {
            socket.getInputStream().read();
            send(out, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        })).url("https"));
        routes.put("selfsigned", track(FaultyUpstream.startTls(selfSigned(), (socket, out) ->
                send(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))).url("https"));
        routes.put("nothttp", track(FaultyUpstream.start((socket, out) ->
                send(out, "SSH-2.0-OpenSSH_9.6\r\nnot an http answer\r\n\r\n"))).url("http"));
        routes.put("diesbeforebody", track(FaultyUpstream.start((socket, out) ->
                send(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n"))).url("http"));
        routes.put("diesmidchunk", track(FaultyUpstream.start((socket, out) -> {
            send(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n");
            dieNow.await(20, TimeUnit.SECONDS);
        })).url("http"));
        routes.put("diesmidlength", track(FaultyUpstream.start((socket, out) -> {
            send(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(100));
            dieNow.await(20, TimeUnit.SECONDS);
        })).url("http"));
        routes.put("gzip", track(FaultyUpstream.start((socket, out) -> {
            send(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: "
                    + GZIP_BODY.length + "\r\n\r\n");
            out.write(GZIP_BODY);
            out.flush();
            socket.getInputStream().read();
        })).url("http"));
        for (Map.Entry<String, String> route : routes.entrySet()) {
            Files.writeString(routesDir.resolve(route.getKey() + ".yaml"), "- templatedRoute:\n"
                    + "    routeTemplateRef: gateway-route\n"
                    + "    routeId: " + route.getKey() + "\n"
                    + "    parameters:\n"
                    + "      - name: path\n        value: /" + route.getKey() + "\n"
                    + "      - name: upstreamUrl\n        value: " + route.getValue() + "\n",
                    StandardCharsets.UTF_8);
        }
    }

    static synchronized FaultyUpstreams get() {
        if (instance == null) {
            try {
                instance = new FaultyUpstreams();
            } catch (Exception e) {
                throw new IllegalStateException("faulty upstreams did not start", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close));
        }
        return instance;
    }

    private static byte[] gzip(String text) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private FaultyUpstream track(FaultyUpstream upstream) {
        resources.add(upstream);
        return upstream;
    }

    /**
     * A port whose accept queue is full: the kernel drops further SYNs, so connecting there times out (the only
     * way to a connect timeout on loopback without root).
     */
    private int fullBacklog() throws IOException {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        resources.add(server);
        for (int i = 0; i < 10; i++) {
            Socket filler = new Socket();
            resources.add(filler);
            try {
                filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 300);
            } catch (SocketTimeoutException full) {
                return server.getLocalPort();
            }
        }
        throw new IllegalStateException("the accept queue of port " + server.getLocalPort() + " never filled");
    }

    /** A TLS server context with a fresh self-signed certificate for 127.0.0.1 (made by the JDK's keytool). */
    private static SSLContext selfSigned() throws Exception {
        Path store = Files.createTempFile(Path.of("target"), "self-signed", ".p12");
        Files.delete(store);
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private void close() {
        slowRelease.countDown();
        dieNow.countDown();
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }
}
