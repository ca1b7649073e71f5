package dev.apigateway.ratelimit;

import dev.apigateway.error.GatewayError;
import dev.apigateway.error.GatewayException;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Message;

/**
 * Who is calling a route keyed by consumer ({@code RATE_LIMIT_KEY=consumer}, a route's {@code rateLimitKey:
 * consumer}): the consumer whose API key the request carries in {@code API_KEY_HEADER}. The key is taken off the
 * request (it is not forwarded), and the upstream is told the consumer's name in {@code X-Consumer-Username} (Kong's
 * header), replacing any the client sent. A missing or unknown key is {@code 401 unauthorized}.
 */
public class ConsumerAuthentication {

    /** The header the upstream reads the consumer's name from. */
    public static final String USERNAME_HEADER = "X-Consumer-Username";

    private final String keyHeader;
    private final Supplier<Consumers> consumers;
    private final Map<String, String> challenge;

    /**
     * @param keyHeader where the key comes from ({@code API_KEY_HEADER})
     * @param consumers the consumers in force (a reload swaps them)
     */
    public ConsumerAuthentication(String keyHeader, Supplier<Consumers> consumers) {
        this.keyHeader = keyHeader;
        this.consumers = consumers;
        this.challenge = Map.of("WWW-Authenticate", "ApiKey realm=\"api-gateway\", header=\"" + keyHeader + "\"");
    }

    /**
     * @throws GatewayException {@code 401 unauthorized} when the request has no key, or one no consumer has
     */
    public Consumer authenticate(Message request) {
        String key = request.getHeader(keyHeader, String.class);
        request.removeHeader(keyHeader);
        request.removeHeader(USERNAME_HEADER);
        if (key == null || key.isBlank()) {
            throw new GatewayException(GatewayError.UNAUTHORIZED, "an API key is needed in " + keyHeader, challenge);
        }
        Consumer consumer = consumers.get().find(key.trim());
        if (consumer == null) {
            throw new GatewayException(GatewayError.UNAUTHORIZED, "the API key is not valid", challenge);
        }
        request.setHeader(USERNAME_HEADER, consumer.name());
        return consumer;
    }
}
