package dev.apigateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GatewayRouteTableTest {

    private final GatewayRouteTable table = new GatewayRouteTable(Duration.ofSeconds(5));
    // the table only compares consumers by identity; none is started here
    private final GatewayHttpConsumer proxy = consumer();
    private final GatewayHttpConsumer orders = consumer();
    private final GatewayHttpConsumer exact = consumer();

    @Test
    void prefixRoutesServeThemselvesAndWhatIsBelowThemNeverALongerName() {
        table.register(proxy, "/proxy", true, null);
        assertThat(table.lookup("/proxy", "GET").consumer()).isSameAs(proxy);
        assertThat(table.lookup("/proxy/a/b", "POST").consumer()).isSameAs(proxy);
        assertThat(table.lookup("/proxyx", "GET")).isNull();
        assertThat(table.lookup("/prox", "GET")).isNull();
        assertThat(table.lookup("/health", "GET")).isNull();
    }

    @Test
    void theLongestPathWinsAndAnExactRouteServesOnlyItsPath() {
        table.register(proxy, "/proxy", true, null);
        table.register(orders, "/proxy/orders", true, null);
        table.register(exact, "/exact", false, null);
        assertThat(table.lookup("/proxy/orders/7", "GET").consumer()).isSameAs(orders);
        assertThat(table.lookup("/proxy/order", "GET").consumer()).isSameAs(proxy);
        assertThat(table.lookup("/exact", "GET").consumer()).isSameAs(exact);
        assertThat(table.lookup("/exact/x", "GET")).isNull();
    }

    @Test
    void aPathServedForOtherMethodsIsMethodNotAllowed() {
        table.register(orders, "/orders", true, "GET,post");
        assertThat(table.lookup("/orders/1", "POST").consumer()).isSameAs(orders);
        assertThat(table.lookup("/orders/1", "DELETE").methodNotAllowed()).isTrue();
        // a shorter route that takes the method is not used for a path a longer route owns
        table.register(proxy, "/", true, null);
        assertThat(table.lookup("/orders/1", "DELETE").methodNotAllowed()).isTrue();
        assertThat(table.lookup("/other", "DELETE").consumer()).isSameAs(proxy);
    }

    @Test
    void aHeldPathWaitsForItsNewConsumerInsteadOfFindingNone() throws Exception {
        table.register(orders, "/orders", true, null);
        GatewayRouteTable.Hold hold = table.hold(List.of("/orders"));
        table.unregister(orders);
        CompletableFuture<GatewayRouteTable.Match> waiting =
                CompletableFuture.supplyAsync(() -> table.lookup("/orders/9", "GET"));
        // still waiting: nothing serves the path yet
        assertThat(waiting).isNotDone();
        GatewayHttpConsumer replacement = consumer();
        table.register(replacement, "/orders", true, null);
        assertThat(waiting.get(5, TimeUnit.SECONDS).consumer()).isSameAs(replacement);
        hold.close();
    }

    @Test
    void releasingAHoldWithoutANewConsumerAnswersNoneAtOnce() throws Exception {
        table.register(orders, "/orders", true, null);
        GatewayRouteTable.Hold hold = table.hold(List.of("/orders"));
        table.unregister(orders);
        CompletableFuture<GatewayRouteTable.Match> waiting =
                CompletableFuture.supplyAsync(() -> table.lookup("/orders/9", "GET"));
        hold.close();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isNull();
        // unheld paths never wait
        long start = System.nanoTime();
        assertThat(table.lookup("/orders/9", "GET")).isNull();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void templatedPathsAreLeftToSpringMvc() {
        assertThat(GatewayRouteTable.servable("/users/{id}")).isFalse();
        assertThat(GatewayRouteTable.servable("/users")).isTrue();
    }

    private static GatewayHttpConsumer consumer() {
        return org.mockito.Mockito.mock(GatewayHttpConsumer.class);
    }
}
