package dev.apigateway.circuitbreaker;

import java.time.Clock;

class InMemoryBreakerStoreTest extends BreakerStoreContract {

    private final InMemoryBreakerStore store = new InMemoryBreakerStore(Clock.systemUTC());

    @Override
    BreakerStore store() {
        return store;
    }

    @Override
    BreakerStore otherInstance() {
        return store; // one process: the same store
    }
}
