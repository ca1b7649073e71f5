package dev.apigateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MonitoringQueriesTest {

    @Test
    void findsTheMetricInsideAggregationsFunctionsAndMatchers() {
        assertThat(MonitoringQueries.metricNames(
                "histogram_quantile(0.99, sum by (route, le) (rate(gateway_upstream_duration_seconds_bucket{route=~\"$route\"}[$__rate_interval])))"))
                .containsExactly("gateway_upstream_duration_seconds_bucket");
        assertThat(MonitoringQueries.metricNames("max by(route)(gateway_circuit_breaker_state{state=\"OPEN\"}) == 1"))
                .containsExactly("gateway_circuit_breaker_state");
    }

    @Test
    void findsBothSidesOfBinaryOperationsAndIgnoresKeywordsAndNumbers() {
        assertThat(MonitoringQueries.metricNames("""
                sum by (route) (rate(gateway_requests_total{status=~"5.."}[5m]))
                  / on (route) group_left sum(rate(camel_exchanges_total[5m])) by (routeId)
                  > 0.05 unless up offset 1h and bool 1e3"""))
                .containsExactlyInAnyOrder("gateway_requests_total", "camel_exchanges_total", "up");
    }

    @Test
    void ignoresStringsLabelValuesAndGrafanaVariables() {
        assertThat(MonitoringQueries.metricNames(
                "label_replace(sum by (outcome) (rate(gateway_rate_limit_decisions_total{outcome=~\"fallback.*\"}[${__interval}])), \"x\", \"$1\", \"outcome\", \"(.*)\")"))
                .containsExactly("gateway_rate_limit_decisions_total");
        assertThat(MonitoringQueries.metricNames("label_values(gateway_requests_total, route)"))
                .containsExactly("gateway_requests_total");
        assertThat(MonitoringQueries.metricNames("label_values(route)")).isEmpty();
    }

    @Test
    void gatewayNamesLeaveOutPrometheusAndExporterSeries() {
        assertThat(MonitoringQueries.allMetricNames()).contains("up", "redis_up");
        assertThat(MonitoringQueries.metricNames())
                .doesNotContain("up", "redis_up")
                .contains("gateway_requests_total", "gateway_rate_limit_rejected_total",
                        "gateway_circuit_breaker_state", "gateway_circuit_breaker_transitions_total",
                        "gateway_upstream_duration_seconds_bucket", "gateway_store_errors_total",
                        "gateway_rate_limit_decisions_total", "camel_exchanges_total",
                        "jvm_memory_used_bytes", "jvm_threads_live_threads")
                .allSatisfy(name -> assertThat(name).matches("[a-zA-Z_:][a-zA-Z0-9_:]*"));
    }

    @Test
    void familyDropsHistogramSuffixesOnly() {
        assertThat(MonitoringQueries.family("gateway_upstream_duration_seconds_bucket")).isEqualTo("gateway_upstream_duration_seconds");
        assertThat(MonitoringQueries.family("camel_route_policy_seconds_count")).isEqualTo("camel_route_policy_seconds");
        assertThat(MonitoringQueries.family("gateway_requests_total")).isEqualTo("gateway_requests_total");
    }
}
