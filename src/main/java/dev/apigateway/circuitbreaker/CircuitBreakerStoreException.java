package dev.apigateway.circuitbreaker;

/** The shared store could not serve a breaker operation. */
public class CircuitBreakerStoreException extends RuntimeException {

    public CircuitBreakerStoreException(String operation, Throwable cause) {
        super("circuit breaker store operation '" + operation + "' failed: " + cause, cause);
    }
}
