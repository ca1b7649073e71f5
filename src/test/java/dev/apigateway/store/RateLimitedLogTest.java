package dev.apigateway.store;

import dev.apigateway.testsupport.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {

    @Test
    void writesAtMostOneLinePerIntervalAndCountsTheRest() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-28T08:00:00Z"));
        RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(RateLimitedLogTest.class),
                Duration.ofSeconds(10), clock);

        assertThat(log.warn("store_unavailable", "first", l -> l, null)).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(log.warn("store_unavailable", "again", l -> l, null)).isFalse();
        }
        assertThat(log.suppressedCount()).isEqualTo(5);

        clock.advance(Duration.ofSeconds(10));
        assertThat(log.warn("store_unavailable", "later", l -> l, new IllegalStateException("down"))).isTrue();
        assertThat(log.suppressedCount()).isZero();
    }
}
