# syntax=docker/dockerfile:1
# The gateway image. Build:  docker build -t api-gateway .
# Run:    docker run -p 5000:5000 -e UPSTREAM_URL=http://host.docker.internal:5001 api-gateway
# Every setting is an environment variable listed in CONFIG.md.

# ---------- build stage: Maven wrapper on a JDK ----------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /build

# Dependency-cache layer: only invalidated when the pom or the wrapper changes.
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline

COPY src src
RUN ./mvnw -B -q package -DskipTests \
 && java -Djarmode=tools -jar target/api-gateway.jar extract --layers --launcher --destination extracted

# ---------- run stage: JRE only, non-root ----------
FROM eclipse-temurin:17-jre

RUN groupadd --system --gid 10001 gateway \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin gateway

WORKDIR /app
# Least to most often changed, so a code change only rebuilds the last layer.
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/spring-boot-loader/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./

# Example route files; mount a folder (Compose) or a ConfigMap (Kubernetes) over it to change them.
COPY --chown=10001:10001 routes/ /config/routes/
ENV ROUTES_DIR=/config/routes
VOLUME /config/routes

ENV PORT=5000
EXPOSE 5000

# Heap sized from the container's memory limit; an OutOfMemoryError ends the JVM so the
# orchestrator restarts it instead of leaving a half-working process.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"

USER 10001:10001

# eclipse-temurin's Ubuntu images ship curl (adoptium/containers installs it "for historical reasons").
# /health is liveness only: it does not fail while Redis is away.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/health" || exit 1

ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
