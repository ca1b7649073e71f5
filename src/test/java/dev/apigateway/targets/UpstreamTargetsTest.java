package dev.apigateway.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamTargetsTest {

    @Test
    void aSingleUrlIsOneTargetOfWeightOne() {
        UpstreamTargets targets = UpstreamTargets.parse("http://localhost:5001/");

        assertThat(targets.size()).isEqualTo(1);
        assertThat(targets.first()).isEqualTo(URI.create("http://localhost:5001"));
        assertThat(targets.targets().get(0).weight()).isEqualTo(1);
        assertThat(targets.targets().get(0).label()).isEqualTo("localhost:5001");
        assertThat(targets.retries()).isTrue();
        assertThat(targets).hasToString("http://localhost:5001");
    }

    @Test
    void severalTargetsWithWeightsKeepTheirOrder() {
        UpstreamTargets targets = UpstreamTargets.parse(
                " http://10.0.0.1:8080;weight=3 , https://api.example.com/v1/ ,http://10.0.0.2 ; weight = 2");

        assertThat(targets.targets()).extracting(UpstreamTargets.Target::label)
                .containsExactly("10.0.0.1:8080", "api.example.com:443/v1", "10.0.0.2:80");
        assertThat(targets.targets()).extracting(UpstreamTargets.Target::weight).containsExactly(3, 1, 2);
        assertThat(targets).hasToString("http://10.0.0.1:8080;weight=3,https://api.example.com/v1,http://10.0.0.2;weight=2");
        assertThat(UpstreamTargets.parse(targets.toString())).isEqualTo(targets);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ftp://host|must be an absolute http:// or https:// URL with a host",
            "http://a:1,ftp://b|must be an absolute http:// or https:// URL with a host (target 'ftp://b')",
            "http://a:1,|must be an absolute http:// or https:// URL with a host (target '')",
            "http://a:1?x=1|must not have a query or a fragment",
            "http://a:1;weight=0,http://b|must have a weight between 1 and 1000 (target 'http://a:1;weight=0')",
            "http://a:1;weight=x,http://b|must have a weight between 1 and 1000 (target 'http://a:1;weight=x')",
            "http://a:1;w=2,http://b|must have only a weight after the URL, as URL;weight=N (target 'http://a:1;w=2')",
            "http://a:1,http://a:1/|must not name a target twice (a:1)",
    })
    void refusesWhatItCannotUse(String text, String message) {
        assertThatThrownBy(() -> UpstreamTargets.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void refusesMoreThanSixtyFourTargets() {
        String many = String.join(",", java.util.stream.IntStream.range(0, 65)
                .mapToObj(i -> "http://10.0.0." + i).toList());
        assertThatThrownBy(() -> UpstreamTargets.parse(many)).hasMessage("must name at most 64 targets, named 65");
    }
}
