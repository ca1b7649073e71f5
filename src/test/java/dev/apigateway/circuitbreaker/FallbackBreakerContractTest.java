package dev.apigateway.circuitbreaker;

/**
 * The breaker contract against the fallback breakers a registry uses while the shared store cannot be used: the
 * same rules as the shared ones (the failure window, the probe lease, the generations).
 */
class FallbackBreakerContractTest extends BreakerStoreContract {

    private final FallbackBreakers fallback = new FallbackBreakers(java.time.Clock.systemUTC());

    @Override
    BreakerStore store() {
        return fallback.store();
    }

    @Override
    BreakerStore otherInstance() {
        return fallback.store(); // one instance: its requests share the one fallback breaker per route
    }
}
