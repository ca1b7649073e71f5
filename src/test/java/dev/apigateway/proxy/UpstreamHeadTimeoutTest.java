package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The head clock on a driven clock: a head that arrives after the route's timeout is refused even when the timer that
 * would have cancelled the call never got to run (a paused gateway, where the head was already waiting in the socket
 * when the reading thread resumed: the JDK's timed read tries the read before it looks at the clock).
 */
class UpstreamHeadTimeoutTest {

    private static final long TIMEOUT = Duration.ofSeconds(3).toNanos();

    private final RequestDeadlines deadlines = new RequestDeadlines(Duration.ofSeconds(30), null);
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @AfterEach
    void close() {
        deadlines.close();
    }

    @Test
    void aHeadInBeforeTheTimeoutIsTaken() {
        UpstreamHeadTimeout.Clock clock = clock();
        clock.sent();
        now.addAndGet(TIMEOUT - 1);
        clock.headIn();
        assertThat(clock.late()).isFalse();
    }

    @Test
    void aHeadInAfterTheTimeoutIsLateThoughTheTimerNeverRan() {
        UpstreamHeadTimeout.Clock clock = clock();
        clock.sent();
        now.addAndGet(Duration.ofSeconds(4).toNanos()); // a 4 s upstream behind a 3 s timeout
        clock.headIn();
        assertThat(clock.late()).isTrue();
        assertThat(UpstreamFailures.kind(clock.exception(null))).isEqualTo(UpstreamFailures.Kind.TIMEOUT);
    }

    @Test
    void theWaitStartsWhenTheBodyHasBeenSentNotWhenTheCallStarted() {
        UpstreamHeadTimeout.Clock clock = clock();
        now.addAndGet(Duration.ofSeconds(20).toNanos()); // a long upload
        clock.sent();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        clock.headIn();
        assertThat(clock.late()).isFalse();
    }

    private UpstreamHeadTimeout.Clock clock() {
        return new UpstreamHeadTimeout.Clock(deadlines.start(System.nanoTime()), TIMEOUT, now::get);
    }
}
