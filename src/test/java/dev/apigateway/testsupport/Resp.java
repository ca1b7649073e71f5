package dev.apigateway.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RESP2 client for test plumbing (PING, FLUSHALL, SCRIPT FLUSH, CLUSTER ...), so
 * that managing servers never goes through the client under test.
 */
public final class Resp implements Closeable {

    /** An error reply ({@code -ERR ...}). */
    public static final class RespError extends RuntimeException {
        RespError(String message) {
            super(message);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public Resp(String host, int port, Duration timeout) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        socket.setSoTimeout((int) timeout.toMillis());
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    /** One command on a fresh connection. */
    public static Object once(String host, int port, String... args) throws IOException {
        try (Resp resp = new Resp(host, port, Duration.ofSeconds(5))) {
            return resp.command(args);
        }
    }

    /** Sends a command and reads its reply: String, Long, null, or a List of those. */
    public Object command(String... args) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        buf.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            buf.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            buf.write(bytes);
            buf.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(buf.toByteArray());
        out.flush();
        return read();
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed");
        }
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new RespError(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(len);
                in.readNBytes(2);
                return new String(data, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    try {
                        items.add(read());
                    } catch (RespError e) {
                        items.add(e);
                    }
                }
                return items;
            }
            default:
                throw new IOException("unexpected RESP type " + (char) type);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            buf.write(c);
        }
        in.read(); // '\n'
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
