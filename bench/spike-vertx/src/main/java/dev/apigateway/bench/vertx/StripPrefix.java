package dev.apigateway.bench.vertx;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * {@code /proxy/a/b?q} goes to the upstream as {@code /a/b?q}, as the gateway sends it: the consumer's
 * {@code CamelHttpPath} (the full normalized path) loses the prefix; the query stays in {@code CamelHttpQuery}.
 */
final class StripPrefix implements Processor {

    private final String prefix;

    StripPrefix(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        String path = in.getHeader(Exchange.HTTP_PATH, String.class);
        String rest = path != null && path.startsWith(prefix) ? path.substring(prefix.length()) : path;
        in.setHeader(Exchange.HTTP_PATH, rest == null || rest.isEmpty() ? "/" : rest);
    }
}
