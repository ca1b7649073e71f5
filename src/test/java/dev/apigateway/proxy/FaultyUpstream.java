package dev.apigateway.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * An upstream on a loopback socket that misbehaves on purpose: each accepted connection gets its request head read
 * and is then handed to a {@link Behaviour} (answer half a head, reset, go silent, die mid-body...). Connections run
 * on their own daemon threads and are all closed with the server.
 */
public final class FaultyUpstream implements AutoCloseable {

    @FunctionalInterface
    public interface Behaviour {
        void serve(Socket socket, OutputStream out) throws Exception;
    }

    private final ServerSocket server;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();

    private FaultyUpstream(ServerSocket server, boolean readHead, Behaviour behaviour) {
        this.server = server;
        Thread acceptor = new Thread(() -> accept(readHead, behaviour), "faulty-upstream-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Reads each request head, then lets the behaviour answer. */
    public static FaultyUpstream start(Behaviour behaviour) throws IOException {
        return new FaultyUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), true, behaviour);
    }

    /** Hands each connection to the behaviour as accepted, nothing read (for a peer that does not speak HTTP). */
    static FaultyUpstream startRaw(Behaviour behaviour) throws IOException {
        return new FaultyUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), false, behaviour);
    }

    /** The same over TLS with the given server context (a self-signed certificate the gateway does not trust). */
    static FaultyUpstream startTls(SSLContext context, Behaviour behaviour) throws IOException {
        return new FaultyUpstream(context.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress()), true, behaviour);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url(String scheme) {
        return scheme + "://127.0.0.1:" + port();
    }

    /** Request heads read so far. */
    public int requests() {
        return requests.get();
    }

    private void accept(boolean readHead, Behaviour behaviour) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException closed) {
                return;
            }
            connections.add(socket);
            Thread t = new Thread(() -> {
                try (socket) {
                    socket.setSoTimeout(20_000);
                    if (readHead) {
                        readHead(socket.getInputStream());
                    }
                    requests.incrementAndGet();
                    behaviour.serve(socket, socket.getOutputStream());
                } catch (Exception ignored) {
                    // the peer went away, or the behaviour was to fail
                }
            }, "faulty-upstream-connection");
            t.setDaemon(true);
            t.start();
        }
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int c;
        while (matched < 4 && (c = in.read()) != -1) {
            head.write(c);
            matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Everything until the peer closes the connection (an end of stream or a reset). */
    static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        try {
            int n;
            while ((n = in.read(buffer)) != -1) {
                rest.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // a reset ends the answer as surely as a close
        }
        return rest.toString(StandardCharsets.ISO_8859_1);
    }

    public static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Closes with a TCP reset instead of a normal close. */
    public static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : connections) {
            s.close();
        }
    }
}
