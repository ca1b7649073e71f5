package dev.apigateway.upstream;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class RequestRecorderTest {

    private static RecordedRequest request(String rawPath, String rawQuery) {
        return new RecordedRequest("GET", rawPath, rawQuery, Map.of(), 0, RecordedRequest.EMPTY_SHA256);
    }

    @Test
    void keepsTheLatestThousandRequestsMostRecentLastWhileCountingAll() {
        RequestRecorder recorder = new RequestRecorder();
        for (int i = 0; i < 1005; i++) {
            recorder.record(request("/ok", "i=" + i));
        }
        List<RecordedRequest> recorded = recorder.requests();
        assertThat(recorder.hits()).isEqualTo(1005);
        assertThat(recorder.hits("/ok")).isEqualTo(1005);
        assertThat(recorded).hasSize(RequestRecorder.MAX_RECORDED).hasSize(1000);
        assertThat(recorded.get(0).rawQuery()).isEqualTo("i=5");
        assertThat(recorded.get(999).rawQuery()).isEqualTo("i=1004");
        assertThat(recorder.last().rawQuery()).isEqualTo("i=1004");
    }

    @Test
    void requestsIsASnapshotThatLaterRecordingDoesNotChange() {
        RequestRecorder recorder = new RequestRecorder();
        recorder.record(request("/a", null));
        List<RecordedRequest> snapshot = recorder.requests();
        recorder.record(request("/b", null));
        assertThat(snapshot).extracting(RecordedRequest::rawPath).containsExactly("/a");
    }

    @Test
    void prefixCountsStayExactUpToTheDistinctPathLimitThenOnlyTheTotalCounts() {
        RequestRecorder recorder = new RequestRecorder();
        for (int i = 0; i < RequestRecorder.MAX_DISTINCT_PATHS + 5; i++) {
            recorder.record(request("/echo/" + i, null));
        }
        assertThat(recorder.hits()).isEqualTo(RequestRecorder.MAX_DISTINCT_PATHS + 5);
        assertThat(recorder.hits("/echo/")).isEqualTo(RequestRecorder.MAX_DISTINCT_PATHS);
        assertThat(recorder.uncountedPaths()).isEqualTo(5);

        recorder.reset();
        recorder.record(request("/echo/again", null));
        assertThat(recorder.hits("/echo/")).isEqualTo(1);
        assertThat(recorder.uncountedPaths()).isZero();
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        RequestRecorder recorder = new RequestRecorder();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 5000; i++) {
                        recorder.record(request("/t" + thread, null));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(recorder.hits()).isEqualTo(40_000);
        assertThat(recorder.hits("/t3")).isEqualTo(5000);
        assertThat(recorder.requests()).hasSize(1000);
    }

    @Test
    void recordedHeadersAreLowerCaseCaseInsensitiveAndImmutable() {
        RecordedRequest r = new RecordedRequest("GET", "/", null,
                Map.of("X-Dup", List.of("1", "2"), "Host", List.of("h")), 0, RecordedRequest.EMPTY_SHA256);
        assertThat(r.headers()).containsOnlyKeys("x-dup", "host");
        assertThat(r.headerValues("X-DUP")).containsExactly("1", "2");
        assertThat(r.header("host")).isEqualTo("h");
        assertThat(r.hasHeader("HOST")).isTrue();
        assertThat(r.rawPathAndQuery()).isEqualTo("/");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.headers().put("a", List.of()))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
