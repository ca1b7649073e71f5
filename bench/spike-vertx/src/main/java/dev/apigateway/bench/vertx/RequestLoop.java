package dev.apigateway.bench.vertx;

import io.vertx.core.impl.ContextInternal;

/**
 * Continue a request on its own Vert.x event loop: at once when the completing thread is that loop (Lettuce on
 * Vert.x's event loop group, a Vert.x client answer), else queued to it (a Lettuce I/O thread). Everything of one
 * request then runs on one thread, and Vert.x sees its own context as current (its clients pick their connection
 * and callback thread from it).
 */
public final class RequestLoop {

    private RequestLoop() {
    }

    /** The request's loop; null when not called on a Vert.x thread. */
    public static ContextInternal current() {
        return ContextInternal.current();
    }

    public static void resume(ContextInternal loop, Runnable next) {
        if (loop == null) {
            next.run();
        } else if (loop.nettyEventLoop().inEventLoop()) {
            loop.dispatch(next);
        } else {
            loop.runOnContext(v -> next.run());
        }
    }
}
