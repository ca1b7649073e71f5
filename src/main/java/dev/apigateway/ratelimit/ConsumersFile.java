package dev.apigateway.ratelimit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * {@code CONSUMERS_FILE}, read at start and again whenever its content changes (polled every second, as a mounted
 * ConfigMap or an edited file changes without a reliable file event). Validate, then swap: a content that does not
 * parse, or whose limits do not fit the settings, is refused with one log line ({@code consumers_file_refused},
 * naming the file and the fault, never a key) and the consumers already loaded stay in force.
 */
public class ConsumersFile implements SmartLifecycle {

    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(ConsumersFile.class);

    private final Path file;
    private final Duration poll;
    private final UnaryOperator<Consumers> check;
    private volatile Consumers current;
    private byte[] lastSeen;
    private ScheduledExecutorService watcher;

    /**
     * Reads the file once.
     *
     * @param check validates what was read against the settings, throwing {@link IllegalArgumentException}
     * @throws IllegalArgumentException when the file cannot be read or is not valid
     */
    public ConsumersFile(Path file, Duration poll, UnaryOperator<Consumers> check) {
        this.file = file;
        this.poll = poll;
        this.check = check;
        byte[] content = read();
        this.current = check.apply(Consumers.parse(new String(content, StandardCharsets.UTF_8)));
        this.lastSeen = content;
        log.atInfo().addKeyValue("event", "consumers_file_loaded").addKeyValue("file", file.toString())
                .addKeyValue("consumers", current.size()).log("Consumers file {} loaded: {} consumers", file, current.size());
    }

    /** The consumers in force. */
    public Consumers consumers() {
        return current;
    }

    /** Looks at the file once: loads a changed, valid content; refuses a changed, invalid one. */
    synchronized void reload() {
        byte[] content;
        try {
            content = read();
        } catch (IllegalArgumentException e) {
            refuse(null, e.getMessage());
            return;
        }
        if (Arrays.equals(content, lastSeen)) {
            return;
        }
        lastSeen = content;
        try {
            current = check.apply(Consumers.parse(new String(content, StandardCharsets.UTF_8)));
            log.atInfo().addKeyValue("event", "consumers_file_loaded").addKeyValue("file", file.toString())
                    .addKeyValue("consumers", current.size())
                    .log("Consumers file {} reloaded: {} consumers", file, current.size());
        } catch (IllegalArgumentException e) {
            refuse(content, e.getMessage());
        }
    }

    private void refuse(byte[] content, String reason) {
        if (content == null) {
            if (lastSeen == null) {
                return; // already said
            }
            lastSeen = null;
        }
        log.atWarn().addKeyValue("event", "consumers_file_refused").addKeyValue("file", file.toString())
                .addKeyValue("reason", reason)
                .log("Consumers file {} refused, the {} consumers loaded before stay: {}", file, current.size(), reason);
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }

    @Override
    public synchronized void start() {
        if (watcher != null) {
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "consumers-file");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(() -> {
            try {
                reload();
            } catch (RuntimeException e) {
                log.warn("consumers file check failed", e);
            }
        }, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return watcher != null;
    }
}
