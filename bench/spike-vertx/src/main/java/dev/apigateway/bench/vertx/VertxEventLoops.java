package dev.apigateway.bench.vertx;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import java.util.concurrent.TimeUnit;

/**
 * Variant {@code SPIKE_LETTUCE_LOOPS=vertx}: Lettuce's channel on one of Vert.x's own Netty event loops instead of
 * Lettuce's I/O threads, so a Redis reply is read on a Vert.x loop (the request's own for the requests on that loop:
 * one shared connection lives on one loop) and no extra I/O threads run. Vert.x owns the group: Lettuce's release
 * and shutdown leave it alone.
 */
final class VertxEventLoops implements EventLoopGroupProvider {

    private final EventLoopGroup group;
    private final int size;

    VertxEventLoops(Vertx vertx, int size) {
        this.group = ((VertxInternal) vertx).getEventLoopGroup();
        this.size = size;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        if (!type.isInstance(group)) {
            throw new IllegalStateException("Lettuce wants a " + type.getName() + ", Vert.x runs a "
                    + group.getClass().getName());
        }
        return (T) group;
    }

    @Override
    public int threadPoolSize() {
        return size;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup eventLoopGroup, long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
}
