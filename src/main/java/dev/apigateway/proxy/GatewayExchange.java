package dev.apigateway.proxy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;

/** Exchange properties the gateway's steps share. Properties, not headers: a client cannot set them. */
public final class GatewayExchange {

    public static final String REQUEST_ID = "gateway.requestId";
    public static final String CLIENT_IP = "gateway.clientIp";
    public static final String PEER = "gateway.peer";
    public static final String PEER_TRUSTED = "gateway.peerTrusted";
    public static final String FORWARD_PATH = "gateway.forwardPath";
    public static final String RAW_QUERY = "gateway.rawQuery";
    public static final String METHOD = "gateway.method";
    public static final String CONTENT_LENGTH = "gateway.contentLength";
    public static final String REQUEST_BODY = "gateway.requestBody";
    public static final String ORIGINAL_SCHEME = "gateway.scheme";
    public static final String ORIGINAL_HOST = "gateway.host";
    public static final String RESPONSE_HEADERS = "gateway.responseHeaders";
    public static final String UPSTREAM_START = "gateway.upstreamStart";
    public static final String BOUND_HEADERS = "gateway.boundHeaders";

    private GatewayExchange() {
    }

    /** Exchange property: what to run once the route is done and before the answer is written. */
    public static final String AFTER_ROUTE = "gateway.afterRoute";

    /**
     * Runs {@code action} when the route has finished (the upstream's answer head is in, or the route failed) and
     * before the answer is written to the client: what it records is in place before the client can send its next
     * request.
     */
    @SuppressWarnings("unchecked")
    public static void afterRoute(Exchange exchange, java.util.function.Consumer<Exchange> action) {
        java.util.List<java.util.function.Consumer<Exchange>> actions = exchange.getProperty(AFTER_ROUTE, java.util.List.class);
        if (actions == null) {
            actions = new java.util.ArrayList<>(2);
            exchange.setProperty(AFTER_ROUTE, actions);
        }
        actions.add(action);
    }

    @SuppressWarnings("unchecked")
    static void runAfterRoute(Exchange exchange) {
        java.util.List<java.util.function.Consumer<Exchange>> actions = exchange.getProperty(AFTER_ROUTE, java.util.List.class);
        if (actions != null) {
            for (java.util.function.Consumer<Exchange> action : actions) {
                action.accept(exchange);
            }
        }
    }

    /** Exchange property: what to run when the request deadline cuts the answer after the route was done. */
    public static final String AFTER_CUT = "gateway.afterCut";

    /**
     * Runs {@code action} if the answer, after the route was done, is cut by the request deadline (a body still
     * arriving from the upstream when the deadline passed): the breaker counts such a cut as the failure it is.
     */
    public static void afterCut(Exchange exchange, Runnable action) {
        exchange.setProperty(AFTER_CUT, action);
    }

    static void runAfterCut(Exchange exchange) {
        Runnable action = exchange.getProperty(AFTER_CUT, Runnable.class);
        if (action != null) {
            action.run();
        }
    }

    public static String requestId(Exchange exchange) {
        return exchange.getProperty(REQUEST_ID, String.class);
    }

    public static String clientIp(Exchange exchange) {
        return exchange.getProperty(CLIENT_IP, String.class);
    }

    /** Headers the gateway puts on the answer whatever it is (the upstream's, or one of the gateway's errors). */
    @SuppressWarnings("unchecked")
    public static Map<String, String> responseHeaders(Exchange exchange) {
        Map<String, String> headers = exchange.getProperty(RESPONSE_HEADERS, Map.class);
        if (headers == null) {
            headers = new LinkedHashMap<>(8);
            exchange.setProperty(RESPONSE_HEADERS, headers);
        }
        return headers;
    }
}
