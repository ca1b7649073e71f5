package dev.apigateway.bench.scg;

import java.net.InetSocketAddress;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.context.annotation.Bean;

import reactor.core.publisher.Mono;

/**
 * Spring Cloud Gateway peer for {@code bench/run.sh}: routes and limiter are in {@code application.yml};
 * the only code is the key resolver, because SCG ships none keyed by client address.
 */
@SpringBootApplication
public class ScgPeerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ScgPeerApplication.class, args);
    }

    /** One bucket per remote address, the same key the gateway's limiter uses for a direct client. */
    @Bean
    KeyResolver remoteAddressKeyResolver() {
        return exchange -> {
            InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
            return Mono.just(remote == null ? "unknown" : remote.getAddress().getHostAddress());
        };
    }
}
