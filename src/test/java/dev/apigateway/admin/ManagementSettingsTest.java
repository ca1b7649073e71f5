package dev.apigateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apigateway.GatewayApplication;
import dev.apigateway.support.GatewayInstance;
import dev.apigateway.support.GatewayTestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.Environment;
import org.springframework.mock.env.MockEnvironment;

/** MANAGEMENT_PORT can never put the actuator on the public port; MANAGEMENT_ADDRESS is loopback by default. */
@ExtendWith(OutputCaptureExtension.class)
class ManagementSettingsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "5998|Invalid setting MANAGEMENT_PORT (management.server.port) = '5998': must differ from PORT (5998)",
            "''|Invalid setting MANAGEMENT_PORT (management.server.port) = '': must be set"
    })
    void aManagementPortThatIsThePublicOneStopsTheStart(String port, String expected, CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayApplication.class)
                .run("--server.port=5998", "--management.server.port=" + port, "--gateway.state-store=memory",
                        "--gateway.routes-dir=target/test-routes-empty"))
                .isInstanceOf(Exception.class);
        assertThat(output.getAll()).contains(expected).contains("Fix MANAGEMENT_PORT");
    }

    @Test
    void theManagementPortListensOnLoopbackByDefault() {
        try (GatewayInstance gateway = GatewayInstance.start("gateway.state-store=memory",
                "gateway.upstream-url=" + GatewayTestUpstream.get().baseUrl())) {
            assertThat(gateway.bean(Environment.class).getProperty("management.server.address"))
                    .isEqualTo("127.0.0.1");
        }
    }

    @Test
    void aManagementPortOpenBeyondLoopbackWithoutATokenIsWarnedAbout(CapturedOutput output) {
        AdminProperties noToken = new AdminProperties();
        ManagementPortCheck.check(settings("127.0.0.1"), noToken);
        assertThat(output.getAll()).doesNotContain("admin_token_missing");

        AdminProperties token = new AdminProperties();
        token.setToken("a-long-random-token");
        ManagementPortCheck.check(settings("0.0.0.0"), token);
        assertThat(output.getAll()).doesNotContain("admin_token_missing");

        ManagementPortCheck.check(settings("0.0.0.0"), noToken);
        assertThat(output.getAll()).contains("admin_token_missing").contains("without ADMIN_TOKEN");
    }

    private static MockEnvironment settings(String address) {
        return new MockEnvironment().withProperty("server.port", "5000")
                .withProperty("management.server.port", "8081")
                .withProperty("management.server.address", address);
    }
}
