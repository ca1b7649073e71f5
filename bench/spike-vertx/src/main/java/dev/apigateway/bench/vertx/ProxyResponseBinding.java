package dev.apigateway.bench.vertx;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.vertx.http.DefaultVertxHttpBinding;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.util.CollectionHelper;

/**
 * camel-vertx-http's binding puts the request's headers back beside the upstream's answer ("only add back old
 * headers if they are not in the HTTP response"), so the client would get its own {@code User-Agent},
 * {@code Accept}... echoed. A proxy answers with the upstream's headers only, as the gateway's
 * {@code copyHeaders=false} does.
 */
public class ProxyResponseBinding extends DefaultVertxHttpBinding {

    @Override
    public void populateResponseHeaders(Exchange exchange, HttpResponse<Buffer> response, HeaderFilterStrategy strategy) {
        Message message = exchange.getMessage();
        Map<String, Object> headers = message.getHeaders();
        headers.clear();
        headers.put(Exchange.HTTP_RESPONSE_CODE, response.statusCode());
        for (Map.Entry<String, String> header : response.headers()) {
            if (strategy == null || !strategy.applyFilterToExternalHeaders(header.getKey(), header.getValue(), exchange)) {
                CollectionHelper.appendEntry(headers, header.getKey(), header.getValue());
            }
        }
    }
}
