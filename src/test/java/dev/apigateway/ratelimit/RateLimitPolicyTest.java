package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apigateway.ratelimit.RateLimitDecision.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitPolicyTest {

    @Test
    void badValuesAreRefusedWithTheValueNamed() {
        assertThatThrownBy(() -> RateLimitPolicy.of(0, 10, 60)).hasMessageContaining("capacity").hasMessageContaining("0");
        assertThatThrownBy(() -> RateLimitPolicy.of(-5, 10, 60)).hasMessageContaining("-5");
        assertThatThrownBy(() -> RateLimitPolicy.of(10, 0, 60)).hasMessageContaining("refill tokens").hasMessageContaining("0");
        assertThatThrownBy(() -> new RateLimitPolicy(10, 1, Duration.ZERO)).hasMessageContaining("period").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> new RateLimitPolicy(10, 1, Duration.ofDays(400))).hasMessageContaining("PT9600H");
        assertThatThrownBy(() -> new RateLimitPolicy(10, 1, null)).hasMessageContaining("period");
    }

    @Test
    void windowIsTheSecondsToRefillAnEmptyBucket() {
        assertThat(RateLimitPolicy.of(100, 10, 60).windowSeconds()).isEqualTo(600);
        assertThat(RateLimitPolicy.of(1, 3, 1).windowSeconds()).isEqualTo(1);
    }

    @Test
    void theShareOfNInstancesDividesCapacityAndRefillRate() {
        RateLimitPolicy policy = RateLimitPolicy.of(100, 10, 60);
        assertThat(policy.share(1)).isSameAs(policy);
        assertThat(policy.share(3)).isEqualTo(new RateLimitPolicy(33, 10, Duration.ofSeconds(180)));
        assertThat(RateLimitPolicy.of(2, 1, 1).share(5).capacity()).as("at least 1").isEqualTo(1);
    }

    @Test
    void aRefusedDecisionAlwaysCarriesARetryAfter() {
        assertThatThrownBy(() -> new RateLimitDecision(Outcome.LIMITED, 10, 0, 5, 0)).hasMessageContaining("retryAfter");
        assertThat(new RateLimitDecision(Outcome.ALLOWED, 10, 9, 6, 0).allowed()).isTrue();
        assertThat(Outcome.FALLBACK_LIMITED.tag()).isEqualTo("fallback_limited");
    }
}
