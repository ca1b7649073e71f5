package dev.apigateway.routes;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code ROUTES_DIR} and hands settled changes to {@link RouteFiles}. Files are compared by the hash of their
 * content, read through symlinks, never by mtime: a Kubernetes ConfigMap swaps its {@code ..data} symlink atomically
 * and the files' own links never change. A Java {@link WatchService} wakes the scan early; a scan also runs every
 * {@link #SCAN_INTERVAL_MS} ms in case events are lost (network and overlay file systems, symlink swaps).
 *
 * <p>A change is applied once the file looks the same on two looks at least {@link #SETTLE_MS} ms apart, so a file an
 * editor or {@code cp} is still writing is not judged half-written. An empty or blank file is taken as one being
 * written and changes nothing (delete a file to remove its routes). A change is in effect about 0.3 to 1.3 s after
 * the write.
 */
public class RouteFileWatcher implements AutoCloseable {

    static final long SCAN_INTERVAL_MS = 1000;
    static final long SETTLE_MS = 300;

    private static final Logger LOG = LoggerFactory.getLogger(RouteFileWatcher.class);
    private static final String ABSENT = "absent";

    private record Look(String hash, long atNanos) {
    }

    private final Path dir;
    private final RouteFiles files;
    private final Map<String, Look> pending = new HashMap<>();
    private volatile boolean running;
    private Thread thread;
    private WatchService watchService;
    private boolean watching;

    public RouteFileWatcher(Path dir, RouteFiles files) {
        this.dir = dir;
        this.files = files;
    }

    /** Loads every file as it is now, in name order: at start, files are taken as settled. */
    public void loadAll() {
        Map<String, byte[]> now = read(dir);
        for (Map.Entry<String, byte[]> e : now.entrySet()) {
            if (!RouteFileParser.isBlank(e.getValue())) {
                files.apply(e.getKey(), e.getValue(), hash(e.getValue()));
            }
        }
        files.retryRefused();
        int refused = files.refused().size();
        LOG.atInfo().addKeyValue("event", "route_files_loaded").addKeyValue("dir", dir.toString())
                .addKeyValue("loaded", files.loaded().size()).addKeyValue("refused", refused)
                .log("Route files in {}: {} loaded, {} refused", dir, files.loaded().size(), refused);
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        try {
            watchService = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            LOG.warn("No file watch service; route files are scanned every {} ms", SCAN_INTERVAL_MS);
        }
        thread = new Thread(this::run, "route-file-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void run() {
        while (running) {
            try {
                register();
                waitForChange(pending.isEmpty() ? SCAN_INTERVAL_MS : SETTLE_MS);
                scan();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.atWarn().setCause(e).addKeyValue("event", "route_scan_failed")
                        .log("Scanning {} failed: {}", dir, e.toString());
            }
        }
    }

    private void register() {
        if (watching || watchService == null || !Files.isDirectory(dir)) {
            return;
        }
        try {
            dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            watching = true;
        } catch (IOException e) {
            LOG.debug("Cannot watch {}: {}", dir, e.toString());
        }
    }

    private void waitForChange(long millis) throws InterruptedException {
        if (watchService == null || !watching) {
            Thread.sleep(millis);
            return;
        }
        WatchKey key = watchService.poll(millis, TimeUnit.MILLISECONDS);
        if (key != null) {
            key.pollEvents();
            if (!key.reset()) {
                watching = false; // the folder went away; register again when it is back
            }
        }
    }

    /** One look at the folder: changes seen twice, at least {@link #SETTLE_MS} apart, are applied. */
    void scan() {
        Map<String, byte[]> now = read(dir);
        Set<String> names = new HashSet<>(now.keySet());
        names.addAll(files.knownFiles());
        names.addAll(pending.keySet());
        boolean changed = false;
        long nanos = System.nanoTime();
        for (String name : names) {
            byte[] content = now.get(name);
            if (content != null && RouteFileParser.isBlank(content)) {
                pending.remove(name); // being written
                continue;
            }
            String hash = content == null ? ABSENT : hash(content);
            String judged = files.judgedHash(name);
            if (hash.equals(judged == null ? ABSENT : judged)) {
                pending.remove(name);
                continue;
            }
            Look previous = pending.get(name);
            if (previous == null || !previous.hash().equals(hash)) {
                pending.put(name, new Look(hash, nanos));
            } else if (nanos - previous.atNanos() >= TimeUnit.MILLISECONDS.toNanos(SETTLE_MS - 50)) {
                pending.remove(name);
                if (content == null) {
                    files.remove(name);
                    changed = true;
                } else {
                    changed |= files.apply(name, content, hash);
                }
            }
        }
        if (changed) {
            files.retryRefused();
        }
    }

    /** The {@code *.yaml} and {@code *.yml} files of the folder and their content, read through symlinks. */
    static Map<String, byte[]> read(Path dir) {
        Map<String, byte[]> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path path : stream) {
                String name = path.getFileName().toString();
                if (name.startsWith(".") || !(name.endsWith(".yaml") || name.endsWith(".yml"))
                        || !Files.isRegularFile(path)) {
                    continue;
                }
                try {
                    out.put(name, Files.readAllBytes(path));
                } catch (NoSuchFileException e) {
                    // removed while listing
                } catch (IOException e) {
                    // unreadable for now (permissions, a swap under way): like a file being written, it changes
                    // nothing, rather than looking deleted
                    LOG.debug("Cannot read {}: {}", path, e.toString());
                    out.put(name, new byte[0]);
                }
            }
        } catch (IOException e) {
            LOG.debug("Cannot list {}: {}", dir, e.toString());
        }
        return out;
    }

    static String hash(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
