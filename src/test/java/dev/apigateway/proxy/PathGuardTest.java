package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathGuardTest {

    @ParameterizedTest
    @ValueSource(strings = {"/proxy/%", "/proxy/%2", "/proxy/%zz", "/proxy/a%2", "/proxy/%C3%A9/b%25",
            "/proxy/b%25", "/proxy/%25%", "/proxy/%%41", "/proxy/%g0", "/proxy/%252"})
    void everyMalformedEncodingIsRefusedAndNothingThrows(String rawPath) {
        assertThat(PathGuard.reject(rawPath)).isEqualTo("the path has a malformed percent-encoding");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/proxy/%C3%A9", "/proxy/a%20b/%C3%A9", "/proxy/%FF%FE", "/proxy/%C0%AE%C0%AE/x",
            "/proxy/%2541", "/proxy/%E2%82%AC/%F0%9F%98%80", "/proxy/%41%42;v=%43"})
    void wellFormedEncodingsPass(String rawPath) {
        assertThat(PathGuard.reject(rawPath)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/proxy/..", "/proxy/%2e%2E/x", "/proxy/%252e%252e/x", "/proxy/..;x/y", "/proxy/a%5cb",
            "/proxy/%00", "/proxy/%0d%0a", "/proxy/%25252525252e"})
    void escapesAndControlCharactersAreRefused(String rawPath) {
        assertThat(PathGuard.reject(rawPath)).isNotNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/proxy|/proxy/a/b|/a/b",
            "/proxy|/proxy|''",
            "/proxy|/%70roxy/admin|/admin",
            "/proxy|/%70%72%6F%78%79/admin|/admin",
            "/proxy|/proxy;x/y|/y",
            "/proxy|/proxy;x=1;y=2/a%2Fb|/a%2Fb",
            "/proxy|//proxy/y|/y",
            "/proxy|/proxy/a;x/y|/a;x/y",
            "/orders/v1|/orders/%76%31/7|/7",
            "/orders/{id}|/orders/42/items|/items",
            "/|/anything/%41|/anything/%41"})
    void theForwardedPathIsTheRawPathBelowTheDecodedRoutePath(String route, String rawPath, String below) {
        assertThat(PathGuard.below(route, rawPath)).isEqualTo(below);
        assertThat(PathGuard.reject(rawPath, route)).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"/proxy|/proxyx/a", "/proxy|/other/a", "/proxy|/", "/orders/v1|/orders/v2/a",
            "/proxy|/pro%zzy/a"})
    void aPathNotBelowTheRouteIsRefused(String route, String rawPath) {
        assertThat(PathGuard.below(route, rawPath)).isNull();
        assertThat(PathGuard.reject(rawPath, route)).isNotNull();
    }

    @Test
    void aPathEncodedTooManyTimesIsRefused() {
        assertThat(PathGuard.reject("/proxy/%252525252541")).isEqualTo("the path is encoded too many times");
    }
}
