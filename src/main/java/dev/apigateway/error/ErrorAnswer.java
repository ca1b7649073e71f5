package dev.apigateway.error;

import dev.apigateway.proxy.GatewayExchange;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** Turns the current exchange into one of the gateway's own JSON answers. */
public final class ErrorAnswer {

    private ErrorAnswer() {
    }

    public static void write(Exchange exchange, int status, String code, String message, Map<String, String> headers) {
        Message answer = exchange.getMessage();
        // Nothing of the request or of a half-received upstream answer leaks into an error answer.
        answer.getHeaders().clear();
        answer.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        answer.setHeader(Exchange.CONTENT_TYPE, ErrorBody.CONTENT_TYPE);
        Map<String, String> extra = GatewayExchange.responseHeaders(exchange);
        extra.putAll(headers);
        answer.setBody(ErrorBody.json(code, message, GatewayExchange.requestId(exchange)));
        exchange.setProperty(Exchange.CHARSET_NAME, "UTF-8"); // JSON's charset, whatever the request or upstream said
    }
}
