package dev.apigateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RequestCostsTest {

    @Test
    void theFirstMatchingRuleSetsTheCostElseOneToken() {
        RequestCosts costs = RequestCosts.parse("POST /reports/**=10, DELETE=5, /export/*=3, GET /reports/*/pdf=2");
        assertThat(costs.costOf("POST", "/reports")).isEqualTo(10);
        assertThat(costs.costOf("POST", "/reports/2026/q1")).isEqualTo(10);
        assertThat(costs.costOf("post", "/reports/x")).as("methods compare in capitals").isEqualTo(10);
        assertThat(costs.costOf("DELETE", "/anything")).isEqualTo(5);
        assertThat(costs.costOf("GET", "/export/all")).isEqualTo(3);
        assertThat(costs.costOf("GET", "/export/all/more")).as("* is one segment").isEqualTo(1);
        assertThat(costs.costOf("GET", "/reports/7/pdf")).isEqualTo(2);
        assertThat(costs.costOf("GET", "")).isEqualTo(1);
        assertThat(costs.max()).isEqualTo(10);
        assertThat(RequestCosts.parse(costs.spec())).isEqualTo(costs);
        assertThat(RequestCosts.parse("").costOf("POST", "/x")).isEqualTo(1);
    }

    @Test
    void badRulesAreRefusedNamingTheRule() {
        assertThatThrownBy(() -> RequestCosts.parse("POST")).hasMessageContaining("cost rule 'POST' must be METHOD=N");
        assertThatThrownBy(() -> RequestCosts.parse("POST=0")).hasMessageContaining("cost must be between 1 and");
        assertThatThrownBy(() -> RequestCosts.parse("post=2")).hasMessageContaining("'post' is not an HTTP method");
        assertThatThrownBy(() -> RequestCosts.parse("POST reports=2")).hasMessageContaining("must start with /");
        assertThatThrownBy(() -> RequestCosts.parse("POST /a /b=2")).hasMessageContaining("must be METHOD=N");
    }

    @Test
    void aCostAboveALimitsCapacityIsRefused() {
        RateLimitPlan plan = RateLimitPlan.parse("burst:20:10:1,daily:10000:10000:86400");
        RequestCosts.parse("POST=20").requireWithin(plan);
        assertThatThrownBy(() -> RequestCosts.parse("GET=1,POST=21").requireWithin(plan)).hasMessage(
                "cost rule 'POST=21' costs more than limit 'burst' holds (capacity 20): such a request could never pass");
    }
}
