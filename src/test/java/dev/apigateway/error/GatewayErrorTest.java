package dev.apigateway.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The catalogue: the contract's status and code pairs, and the body byte for byte. */
class GatewayErrorTest {

    @Test
    void catalogueHasTheContractsStatusAndCodePairs() {
        assertThat(Arrays.stream(GatewayError.values()).map(e -> e.status() + " " + e.code())).containsExactly(
                "400 bad_request", "404 not_found", "405 method_not_allowed", "401 unauthorized", "408 request_timeout",
                "413 payload_too_large",
                "429 rate_limited", "500 internal_error", "502 upstream_unreachable", "503 circuit_open",
                "503 store_unavailable", "503 upstream_busy", "503 route_busy", "504 upstream_timeout");
        assertThat(GatewayError.UPSTREAM_BUSY.headers()).containsEntry("Retry-After", "1");
    }

    @Test
    void containerStatusesMapToTheCatalogue() {
        assertThat(GatewayError.forStatus(404)).isEqualTo(GatewayError.NOT_FOUND);
        assertThat(GatewayError.forStatus(405)).isEqualTo(GatewayError.METHOD_NOT_ALLOWED);
        assertThat(GatewayError.forStatus(413)).isEqualTo(GatewayError.PAYLOAD_TOO_LARGE);
        assertThat(GatewayError.forStatus(400)).isEqualTo(GatewayError.BAD_REQUEST);
        assertThat(GatewayError.forStatus(431)).isEqualTo(GatewayError.BAD_REQUEST);
        assertThat(GatewayError.forStatus(500)).isEqualTo(GatewayError.INTERNAL_ERROR);
        assertThat(GatewayError.forStatus(503)).isEqualTo(GatewayError.INTERNAL_ERROR);
    }

    @Test
    void bodyIsTheContractsJsonInUtf8() {
        byte[] body = ErrorBody.bytes(GatewayError.BAD_REQUEST, "caf\u00e9 \"q\"", "id-1");
        assertThat(new String(body, StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"bad_request\",\"message\":\"caf\u00e9 \\\"q\\\"\",\"requestId\":\"id-1\"}");
        assertThat(body).contains((byte) 0xC3, (byte) 0xA9);
    }
}
