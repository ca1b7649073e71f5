# syntax=docker/dockerfile:1
# The gateway image. Build:  docker build -t api-gateway .
# Run:    docker run -p 5000:5000 -e UPSTREAM_URL=http://host.docker.internal:5001 api-gateway
# Every setting is an environment variable listed in CONFIG.md.
# Base images are pinned by version (Dependabot proposes updates, .github/dependabot.yml). Both can be swapped for
# equivalents with a JDK/JRE, java on PATH, curl, groupadd/useradd (deploy/image-smoke.sh builds FROM a local
# Debian base where no registry is reachable):
#   docker build --build-arg BUILD_IMAGE=... --build-arg RUNTIME_IMAGE=... .
# Java 25: the gateway is compiled for 17 and runs on either, but 25 warms up in about half the time, holds less
# memory (compact object headers) and costs a little less CPU per request (bench/README.md, DEPLOYMENT.md).
ARG BUILD_IMAGE=eclipse-temurin:25.0.3_9-jdk-noble
ARG RUNTIME_IMAGE=eclipse-temurin:25.0.3_9-jre-noble

# ---------- build stage: Maven wrapper on a JDK ----------
FROM ${BUILD_IMAGE} AS build
WORKDIR /build

# Dependency-cache layer: only invalidated when the pom or the wrapper changes.
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline

# main sources only: -Dmaven.test.skip=true does not compile the tests (they need upstream-service/, which
# .dockerignore leaves out); the tests run in CI before any image is built.
COPY src/main src/main
RUN ./mvnw -B -q package -Dmaven.test.skip=true \
 && java -Djarmode=tools -jar target/api-gateway.jar extract --layers --destination extracted

# ---------- run stage: JRE only, non-root ----------
FROM ${RUNTIME_IMAGE}

RUN groupadd --system --gid 10001 gateway \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin gateway

WORKDIR /app
# Least to most often changed, so a code change only rebuilds the last layers (the jar and the AOT cache); plain
# `java -jar` on the extracted jar, which finds its lib/ by its manifest (the AOT cache needs the JVM's own class path).
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./

# Example route files; mount a folder (Compose) or a ConfigMap (Kubernetes) over it to change them.
COPY --chown=10001:10001 routes/ /config/routes/
ENV ROUTES_DIR=/config/routes
VOLUME /config/routes

ENV PORT=5000
# The management port (Prometheus, circuit breakers, route files: CONFIG.md), on the container's loopback unless
# MANAGEMENT_ADDRESS says otherwise: Compose and Kubernetes set 0.0.0.0 for Prometheus, with ADMIN_TOKEN, and let
# nobody else reach it (Compose publishes it on the host's 127.0.0.1 only; Kubernetes has a NetworkPolicy).
ENV MANAGEMENT_PORT=8081
EXPOSE 5000 8081

# JVM sizing, measured under bench load (DEPLOYMENT.md "JVM and flags"): SerialGC (the cheapest collector per request
# on one or two CPUs; its young pauses stay within the p99 of the bench), heap at half the container's memory limit
# (the rest is metaspace, thread stacks, code cache and direct buffers: 75 % left too little room under the OOM
# killer), metaspace capped, 512 KiB thread stacks (Tomcat's 200 threads), compact object headers (Java 25).
# An OutOfMemoryError ends the JVM so the orchestrator restarts it instead of leaving a half-working process.
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -XX:MaxRAMPercentage=50 -XX:MaxMetaspaceSize=192m -Xss512k -XX:+UseCompactObjectHeaders -XX:+ExitOnOutOfMemoryError"

# The AOT cache (Java 25, DEPLOYMENT.md "Start-up: the AOT cache"): a training run of this image's JVM with these
# flags records what the gateway loads, links and profiles while it starts and serves; every start then reads it
# back (first proxied answer in about half the time). Built here, in the run stage, because a cache only maps into
# the JVM build that wrote it. A JAVA_TOOL_OPTIONS changed at run time that no longer matches makes the JVM ignore
# the cache with a warning (a slower start, nothing else).
COPY deploy/aot-cache.sh /usr/local/bin/gateway-aot-cache
RUN gateway-aot-cache /app /app/app.aot

USER 10001:10001

# eclipse-temurin's Ubuntu images ship curl (adoptium/containers installs it "for historical reasons"); a
# replacement RUNTIME_IMAGE must too.
# /health is liveness only: it does not fail while Redis is away.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/health" || exit 1

ENTRYPOINT ["java", "-XX:AOTCache=/app/app.aot", "-jar", "/app/api-gateway.jar"]
