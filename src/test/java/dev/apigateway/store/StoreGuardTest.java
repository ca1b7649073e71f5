package dev.apigateway.store;

import dev.apigateway.testsupport.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StoreGuardTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T08:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicInteger reached = new AtomicInteger();
    private final AtomicBoolean storeUp = new AtomicBoolean(true);
    private final StoreGuard guard = StoreGuard.builder("test")
            .timeout(Duration.ofMillis(200))
            .errorThreshold(3)
            .backoff(Duration.ofMillis(250), Duration.ofSeconds(5))
            .clock(clock)
            .meterRegistry(meters)
            .build();

    private final Supplier<String> store = () -> {
        reached.incrementAndGet();
        if (!storeUp.get()) {
            throw new IllegalStateException("connection refused");
        }
        return "ok";
    };

    /** What Lettuce's command timeout looks like through Spring Data Redis: the answer comes, but late. */
    private final Supplier<String> late = () -> {
        reached.incrementAndGet();
        throw new org.springframework.dao.QueryTimeoutException("Redis command timed out");
    };

    @AfterEach
    void close() {
        guard.close();
    }

    @Test
    void afterThresholdConsecutiveErrorsCallsAreSkippedWithoutTouchingTheStore() {
        storeUp.set(false);
        for (int i = 0; i < 3; i++) {
            StoreUnavailableException e = catchThrowableOfType(StoreUnavailableException.class,
                    () -> guard.call("rate_limit", store));
            assertThat(e.skipped()).isFalse();
            assertThat(e.getCause()).hasMessage("connection refused");
        }
        assertThat(guard.isAvailable()).isFalse();

        for (int i = 0; i < 10; i++) {
            StoreUnavailableException e = catchThrowableOfType(StoreUnavailableException.class,
                    () -> guard.call("rate_limit", store));
            assertThat(e.skipped()).isTrue();
            assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(250));
            assertThat(e.retryAfterSeconds()).isEqualTo(1);
        }
        assertThat(reached).hasValue(3);
        assertThat(meters.counter(StoreGuard.ERRORS, "operation", "rate_limit").count()).isEqualTo(3);
        assertThat(meters.counter(StoreGuard.SKIPPED, "operation", "rate_limit").count()).isEqualTo(10);
        assertThat(meters.get(StoreGuard.AVAILABLE).gauge().value()).isZero();
    }

    @Test
    void aSuccessResetsTheConsecutiveErrorCount() {
        storeUp.set(false);
        fail(2);
        storeUp.set(true);
        assertThat(guard.call("rate_limit", store)).isEqualTo("ok");
        storeUp.set(false);
        fail(2);
        assertThat(guard.isAvailable()).isTrue();
    }

    @Test
    void afterTheBackoffOneTrialCallTestsTheStoreAndItsFailureDoublesTheBackoff() {
        storeUp.set(false);
        fail(3);
        assertThat(reached).hasValue(3);

        clock.advance(Duration.ofMillis(249));
        assertThatThrownBy(() -> guard.call("rate_limit", store)).isInstanceOf(StoreUnavailableException.class);
        assertThat(reached).hasValue(3);

        clock.advance(Duration.ofMillis(1)); // backoff over: the next call is the trial, and fails
        fail(1);
        assertThat(reached).hasValue(4);
        StoreUnavailableException skipped = catchThrowableOfType(StoreUnavailableException.class,
                () -> guard.call("rate_limit", store));
        assertThat(skipped.skipped()).isTrue();
        assertThat(skipped.retryAfter()).isEqualTo(Duration.ofMillis(500));

        // 500, 1000, 2000, 4000, then capped at 5000
        for (long expected : new long[] {500, 1000, 2000, 4000, 5000, 5000}) {
            clock.advance(Duration.ofMillis(expected));
            fail(1);
        }
        StoreUnavailableException capped = catchThrowableOfType(StoreUnavailableException.class,
                () -> guard.call("rate_limit", store));
        assertThat(capped.retryAfter()).isEqualTo(Duration.ofSeconds(5));

        storeUp.set(true);
        clock.advance(Duration.ofSeconds(5));
        assertThat(guard.call("rate_limit", store)).isEqualTo("ok");
        assertThat(guard.isAvailable()).isTrue();

        // recovered: the next outage starts at the first backoff again
        storeUp.set(false);
        fail(3);
        StoreUnavailableException again = catchThrowableOfType(StoreUnavailableException.class,
                () -> guard.call("rate_limit", store));
        assertThat(again.retryAfter()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void aSlowStoreCostsTheCallerAtMostTheTimeout() {
        Supplier<String> hanging = () -> {
            reached.incrementAndGet();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "late";
        };
        long start = System.nanoTime();
        StoreUnavailableException e = catchThrowableOfType(StoreUnavailableException.class,
                () -> guard.call("rate_limit", hanging));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(e.skipped()).isFalse();
        assertThat(e.getMessage()).contains("no answer within 200 ms");
        assertThat(tookMillis).isLessThan(2_000); // 200 ms plus scheduling, far from the 10 s the call would take
        assertThat(meters.counter(StoreGuard.ERRORS, "operation", "rate_limit").count()).isEqualTo(1);
        assertThat(meters.timer(StoreGuard.DURATION, "operation", "rate_limit", "outcome", "error").count()).isEqualTo(1);
    }

    @Test
    void successfulCallsAreTimed() {
        guard.call("rate_limit", store);
        guard.call("breaker", store);
        assertThat(meters.timer(StoreGuard.DURATION, "operation", "rate_limit", "outcome", "success").count()).isEqualTo(1);
        assertThat(meters.timer(StoreGuard.DURATION, "operation", "breaker", "outcome", "success").count()).isEqualTo(1);
        assertThat(meters.get(StoreGuard.AVAILABLE).gauge().value()).isEqualTo(1);
    }

    @Test
    void lateAnswersAmongAnswersNeverStartTheBackoff() {
        // CPU contention: many calls past the timeout, but the store answers some: it is slow, not dead
        assertThat(guard.call("rate_limit", store)).isEqualTo("ok");
        for (int i = 0; i < 20; i++) {
            StoreUnavailableException e = catchThrowableOfType(StoreUnavailableException.class,
                    () -> guard.call("rate_limit", late));
            assertThat(e.skipped()).isFalse();
        }
        assertThat(guard.isAvailable()).isTrue();
        assertThat(meters.counter(StoreGuard.SKIPPED, "operation", "rate_limit").count()).isZero();
        assertThat(meters.counter(StoreGuard.ERRORS, "operation", "rate_limit").count()).isEqualTo(20);
    }

    @Test
    void timeoutsSustainedOverTheWindowWithoutAnyAnswerStartTheBackoff() {
        assertThat(guard.call("rate_limit", store)).isEqualTo("ok");
        clock.advance(Duration.ofSeconds(6)); // the answer has left the 5 s window
        for (int i = 0; i < 3; i++) {
            assertThat(catchThrowableOfType(StoreUnavailableException.class,
                    () -> guard.call("rate_limit", late)).skipped()).isFalse();
        }
        assertThat(guard.isAvailable()).isFalse();
        StoreUnavailableException skipped = catchThrowableOfType(StoreUnavailableException.class,
                () -> guard.call("rate_limit", late));
        assertThat(skipped.skipped()).isTrue();
        assertThat(reached).hasValue(4);
    }

    @Test
    void anAnswerEndsTheBackoffEvenFromACallMadeBeforeIt() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        StoreGuard slow = StoreGuard.builder("slow").timeout(Duration.ofSeconds(5)).errorThreshold(3)
                .clock(clock).meterRegistry(new SimpleMeterRegistry()).build();
        try {
            java.util.concurrent.CompletableFuture<String> inFlight = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> slow.call("rate_limit", () -> {
                        entered.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return "late but answered";
                    }));
            // the slow call is with the store before the errors open the backoff (else it would be refused itself)
            assertThat(entered.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            storeUp.set(false);
            for (int i = 0; i < 3; i++) {
                catchThrowableOfType(StoreUnavailableException.class, () -> slow.call("rate_limit", store));
            }
            assertThat(slow.isAvailable()).isFalse();
            release.countDown();
            assertThat(inFlight.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("late but answered");
            assertThat(slow.isAvailable()).isTrue();
        } finally {
            slow.close();
        }
    }

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            StoreUnavailableException e = catchThrowableOfType(StoreUnavailableException.class,
                    () -> guard.call("rate_limit", store));
            assertThat(e.skipped()).as("call %d reached the store", i + 1).isFalse();
        }
    }

    @Test
    void whileTheStoreAnswersCallsRunOnTheCallersThreadAndAfterAnErrorOnTheBoundedPool() {
        StoreGuard inline = StoreGuard.builder("inline").timeout(Duration.ofMillis(200)).errorThreshold(3)
                .backoff(Duration.ofMillis(250), Duration.ofSeconds(5)).clock(clock).meterRegistry(meters)
                .inlineWhenHealthy(true).build();
        try {
            Thread caller = Thread.currentThread();
            // not known healthy yet: the first call is bounded by the pool
            assertThat(inline.call("op", Thread::currentThread)).isNotSameAs(caller);
            assertThat(inline.call("op", Thread::currentThread)).isSameAs(caller);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> inline.call("op", () -> {
                throw new IllegalStateException("connection reset");
            })).isInstanceOf(StoreUnavailableException.class);
            assertThat(inline.call("op", Thread::currentThread)).isNotSameAs(caller);
            assertThat(inline.call("op", Thread::currentThread)).isSameAs(caller);
        } finally {
            inline.close();
        }
    }
}
