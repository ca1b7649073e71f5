package org.apache.camel.component.platform.http.vertx;

import dev.apigateway.bench.vertx.RequestLoop;
import dev.apigateway.bench.vertx.SpikeErrors;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.ContextInternal;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;

/**
 * Camel 4.17's {@link VertxPlatformHttpConsumer} runs every exchange with {@code vertx.executeBlocking}: a hand-off
 * to the Vert.x worker pool, whose thread then waits for the route (an async route included) to finish. This one
 * runs the route on the request's event loop through the {@link org.apache.camel.AsyncProcessor} API and writes the
 * answer when the route's callback fires, back on that loop: no thread hand-off of its own, no thread that waits.
 * The route must therefore never block (every step async or instant).
 *
 * <p>The request body is not read ahead: a request with a body gets the paused {@link HttpServerRequest} (a Vert.x
 * {@code ReadStream}) as its Camel body, which camel-vertx-http sends on with {@code sendStream}, so it streams.
 * Failures the route did not handle become a 502 with the JSON error body.
 */
public class NonBlockingVertxConsumer extends VertxPlatformHttpConsumer {

    public NonBlockingVertxConsumer(PlatformHttpEndpoint endpoint, Processor processor,
            List<Handler<RoutingContext>> handlers, String routerName) {
        super(endpoint, processor, handlers, routerName);
    }

    @Override
    protected void handleRequest(RoutingContext ctx) {
        ContextInternal loop = RequestLoop.current();
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        processHttpRequest(exchange, ctx).onComplete(read -> {
            if (read.failed()) {
                exchange.setException(read.cause());
                answer(ctx, exchange);
                return;
            }
            try {
                createUoW(exchange);
            } catch (Exception e) {
                exchange.setException(e);
                answer(ctx, exchange);
                return;
            }
            getAsyncProcessor().process(exchange, doneSync -> {
                if (doneSync) {
                    answer(ctx, exchange);
                } else {
                    RequestLoop.resume(loop, () -> answer(ctx, exchange));
                }
            });
        });
    }

    /** Headers as the stock consumer sets them; the body stays unread (see the class comment). */
    @Override
    protected Future<Void> populateCamelMessage(RoutingContext ctx, Exchange exchange, Message message) {
        VertxPlatformHttpSupport.populateCamelHeaders(ctx, message.getHeaders(), exchange,
                getEndpoint().getHeaderFilterStrategy());
        HttpServerRequest request = ctx.request();
        if (!request.isEnded() && (request.headers().contains(HttpHeaders.CONTENT_LENGTH)
                || request.headers().contains(HttpHeaders.TRANSFER_ENCODING))) {
            request.pause();
            message.setBody(request);
        }
        return Future.succeededFuture();
    }

    private void answer(RoutingContext ctx, Exchange exchange) {
        Exception failure = exchange.getException();
        if (failure != null) {
            exchange.setException(null);
            Message out = exchange.getMessage();
            out.getHeaders().clear();
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 502);
            out.setHeader(Exchange.CONTENT_TYPE, "application/json");
            out.setBody(SpikeErrors.json("bad_gateway", "the upstream did not answer: " + failure.getClass()
                    .getSimpleName(), exchange.getExchangeId()));
        }
        Future<Void> written = UpstreamStreams.isStream(exchange.getMessage().getBody())
                ? UpstreamStreams.write(ctx, exchange, getEndpoint().getHeaderFilterStrategy())
                : VertxPlatformHttpSupport.writeResponse(ctx, exchange, getEndpoint().getHeaderFilterStrategy(),
                        getEndpoint().isMuteException());
        written.onComplete(done -> {
            if (done.failed() && !ctx.response().ended()) {
                ctx.response().reset();
            }
            doneUoW(exchange);
            releaseExchange(exchange, false);
        });
    }
}
