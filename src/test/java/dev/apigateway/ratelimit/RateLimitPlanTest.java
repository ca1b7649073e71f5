package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitPlanTest {

    @Test
    void readsNamedLimitsInOrderWithTheirShadowFlag() {
        RateLimitPlan plan = RateLimitPlan.parse("burst:20:10:1, daily:10000:10000:86400,trial:5:5:60:shadow");
        assertThat(plan.names()).containsExactly("burst", "daily", "trial");
        assertThat(plan.limits().get(0).policy()).isEqualTo(RateLimitPolicy.of(20, 10, 1));
        assertThat(plan.limits().get(1).policy().refillPeriod()).isEqualTo(Duration.ofDays(1));
        assertThat(plan.limits().get(2).shadow()).isTrue();
        assertThat(plan.allShadow()).isFalse();
        assertThat(plan.smallestCapacity()).isEqualTo(5);
        assertThat(RateLimitPlan.parse(plan.spec())).isEqualTo(plan);
    }

    @Test
    void badEntriesAreRefusedNamingTheEntry() {
        assertThatThrownBy(() -> RateLimitPlan.parse("burst:20:10")).hasMessage(
                "limit 'burst:20:10' must be name:capacity:refill:periodSeconds, optionally followed by :shadow");
        assertThatThrownBy(() -> RateLimitPlan.parse("burst:20:10:1:loud")).hasMessageContaining("'burst:20:10:1:loud'");
        assertThatThrownBy(() -> RateLimitPlan.parse("burst:lots:10:1"))
                .hasMessage("limit 'burst:lots:10:1': capacity 'lots' is not a whole number");
        assertThatThrownBy(() -> RateLimitPlan.parse("burst:0:10:1"))
                .hasMessage("limit 'burst:0:10:1': capacity must be between 1 and 2147483647, was 0");
        assertThatThrownBy(() -> RateLimitPlan.parse("daily:1:1:40000000")).hasMessageContaining("periodSeconds");
        assertThatThrownBy(() -> RateLimitPlan.parse("Burst:1:1:1")).hasMessageContaining("limit name 'Burst'");
        assertThatThrownBy(() -> RateLimitPlan.parse("a:1:1:1,a:2:2:2")).hasMessage("limit name 'a' is given twice");
        assertThatThrownBy(() -> RateLimitPlan.parse("a:1:1:1,")).hasMessageContaining("limit ''");
        assertThatThrownBy(() -> RateLimitPlan.parse(" ")).hasMessageContaining("no limits given");
        assertThatThrownBy(() -> RateLimitPlan.parse("a:1:1:1,b:1:1:1,c:1:1:1,d:1:1:1,e:1:1:1,f:1:1:1,g:1:1:1,"
                + "h:1:1:1,i:1:1:1")).hasMessage("at most 8 limits per route, got 9");
    }

    @Test
    void theSingleSettingsAreOneLimitNamedDefaultAndShadowAppliesToEveryLimit() {
        RateLimitPlan single = RateLimitPlan.single(RateLimitPolicy.of(100, 10, 60));
        assertThat(single.names()).containsExactly("default");
        assertThat(RateLimitKeys.limitKey("proxy", "ip:1.2.3.4", "default")).isEqualTo(RateLimitKeys.bucketKey("proxy", "ip:1.2.3.4"));
        assertThat(RateLimitKeys.limitKey("proxy", "ip:1.2.3.4", "daily")).isEqualTo("api-gateway:rate-limit:{proxy:ip:1.2.3.4}:daily");

        RateLimitPlan shadow = RateLimitPlan.parse("burst:20:10:1,daily:100:100:86400").asShadow();
        assertThat(shadow.allShadow()).isTrue();
        assertThat(shadow.spec()).isEqualTo("burst:20:10:1:shadow,daily:100:100:86400:shadow");
    }

    @Test
    void theLocalShareDividesEveryLimit() {
        RateLimitPlan share = RateLimitPlan.parse("burst:20:10:1,daily:10000:10000:86400").share(4);
        assertThat(share.limits().get(0).policy()).isEqualTo(RateLimitPolicy.of(20, 10, 1).share(4));
        assertThat(share.limits().get(1).policy().capacity()).isEqualTo(2500);
        assertThat(share.names()).containsExactly("burst", "daily");
    }
}
