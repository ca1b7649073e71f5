/**
 * Distributed tracing: W3C Trace Context in and out, one server span per proxied request, a client span per
 * upstream call and per shared-store call, exported over OTLP by Spring Boot's OpenTelemetry set-up (the
 * Micrometer Tracing bridge brings it; sampler, batch exporter and MDC correlation are Boot's).
 *
 * <p>Off unless an OTLP endpoint is configured ({@link TracingEnvironmentPostProcessor}): then no tracer, no
 * exporter and no span processor exist, {@link GatewayTracer#OFF} answers {@code false} to {@link GatewayTracer#on()}
 * and the request path skips every tracing step after that one field read. {@code traceparent} and
 * {@code tracestate} then pass to the upstream as any other end-to-end header.
 *
 * <p>A leaf package: it knows Camel's {@code Exchange} and the servlet request, nothing of the gateway's features.
 */
package dev.apigateway.tracing;
