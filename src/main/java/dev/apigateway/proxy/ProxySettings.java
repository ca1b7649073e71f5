package dev.apigateway.proxy;

/** What the request binding needs to know, resolved once at start. */
public record ProxySettings(long maxRequestBodyBytes, TrustedProxies trustedProxies, RouteBulkhead bulkhead) {
}
