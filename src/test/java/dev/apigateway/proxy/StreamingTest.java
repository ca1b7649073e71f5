package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apigateway.support.AbstractGatewayTest;
import dev.apigateway.upstream.RecordedRequest;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 50 MB each way through the gateway, in the test's own JVM. Half way through, the transfer is paused and the live
 * heap measured after a full GC: a gateway that held the body would hold tens of megabytes at that point, one that
 * streams holds its buffers only.
 */
class StreamingTest extends AbstractGatewayTest {

    private static final long FIFTY_MB = 50L * 1024 * 1024;
    private static final long HALF = FIFTY_MB / 2;
    private static final long LIVE_HEAP_BOUND = 16L * 1024 * 1024;

    @Test
    void a50MbDownloadStreamsWithoutHoldingTheBodyInTheHeap() throws Exception {
        long baseline = liveHeap();
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(gateway("/proxy/bytes/" + FIFTY_MB)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long total = 0;
        long mismatches = 0;
        long heldMidway = 0;
        boolean measured = false;
        try (InputStream in = response.body()) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != (byte) ((total + i) % 251)) {
                        mismatches++;
                    }
                }
                total += n;
                if (!measured && total >= HALF) {
                    Thread.sleep(300); // the gateway is now blocked writing, or has buffered everything
                    heldMidway = liveHeap() - baseline;
                    measured = true; // once: a growth below the baseline (a GC between) is a reading too
                }
            }
        }
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(total).isEqualTo(FIFTY_MB);
        assertThat(mismatches).isZero();
        assertThat(measured).isTrue();
        assertThat(heldMidway).as("live heap growth half way through, bytes").isLessThan(LIVE_HEAP_BOUND);
    }

    @Test
    void a50MbUploadStreamsWithoutHoldingTheBodyInTheHeap() throws Exception {
        long baseline = liveHeap();
        PausingZeroStream body = new PausingZeroStream(FIFTY_MB, HALF);
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(HttpRequest.newBuilder(gateway("/proxy/echo"))
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> body), FIFTY_MB))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(body.paused.await(30, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);
        long heldMidway = liveHeap() - baseline;
        body.resume.countDown();
        HttpResponse<String> response = pending.get(60, TimeUnit.SECONDS);

        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest seen = upstream.lastRequest().orElseThrow();
        assertThat(seen.bodyLength()).isEqualTo(FIFTY_MB);
        assertThat(seen.header("Content-Length")).isEqualTo(String.valueOf(FIFTY_MB));
        assertThat(heldMidway).as("live heap growth half way through, bytes").isLessThan(LIVE_HEAP_BOUND);
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Zeros, made as they are read; stops once at {@code pauseAt} until resumed. */
    private static final class PausingZeroStream extends InputStream {
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        private final long pauseAt;
        private long remaining;
        private long sent;

        PausingZeroStream(long size, long pauseAt) {
            this.remaining = size;
            this.pauseAt = pauseAt;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            if (sent >= pauseAt && paused.getCount() > 0) {
                paused.countDown();
                try {
                    resume.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int n = (int) Math.min(len, remaining);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            remaining -= n;
            sent += n;
            return n;
        }
    }
}
