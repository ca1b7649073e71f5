package dev.apigateway.targets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    private static final long T0 = 1_700_000_000_000L;

    @Test
    void aQuietRouteMayStillRetryThreeTimesInTenSeconds() {
        RetryBudget budget = new RetryBudget();
        budget.onRequest(T0);

        assertThat(budget.tryRetry(T0)).isTrue();
        assertThat(budget.tryRetry(T0)).isTrue();
        assertThat(budget.tryRetry(T0)).isTrue();
        assertThat(budget.tryRetry(T0)).isFalse();
    }

    @Test
    void retriesAddAtMostOneFifthToAFloodOfRequests() {
        RetryBudget budget = new RetryBudget();
        int retries = 0;
        for (int i = 0; i < 1000; i++) {
            long now = T0 + i * 5L; // 1000 requests in 5 s: one window
            budget.onRequest(now);
            if (budget.tryRetry(now)) {
                retries++;
            }
        }
        assertThat(retries).isEqualTo(200);
    }

    @Test
    void theWindowSlides() {
        RetryBudget budget = new RetryBudget();
        for (int i = 0; i < 3; i++) {
            budget.tryRetry(T0);
        }
        assertThat(budget.tryRetry(T0 + 9_000)).isFalse();
        assertThat(budget.tryRetry(T0 + 10_000)).isTrue();
    }
}
