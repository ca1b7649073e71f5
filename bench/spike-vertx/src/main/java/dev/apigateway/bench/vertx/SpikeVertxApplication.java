package dev.apigateway.bench.vertx;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Vert.x spike of issue 11 ({@code bench/run.sh --scenarios spike-vertx}): one Camel route
 * {@code platform-http:/proxy} on Vert.x, the Redis token bucket through Lettuce's async {@code EVALSHA}, the upstream
 * through an async producer, and no thread that waits for any of them. Not the gateway: no route files, breaker,
 * bulkhead, limits or probes; it measures what the engine and the non-blocking path cost.
 */
@SpringBootApplication
public class SpikeVertxApplication {

    public static void main(String[] args) {
        SpringApplication.run(SpikeVertxApplication.class, args);
    }
}
