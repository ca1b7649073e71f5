package dev.apigateway.bench.vertx;

/** The gateway's JSON error body, {@code {"error","message","requestId"}}, for the few answers the spike makes itself. */
public final class SpikeErrors {

    private SpikeErrors() {
    }

    /** The arguments are the spike's own constants and ids: nothing a client sent, so nothing to escape. */
    public static String json(String error, String message, String requestId) {
        return "{\"error\":\"" + error + "\",\"message\":\"" + message + "\",\"requestId\":\"" + requestId + "\"}";
    }
}
