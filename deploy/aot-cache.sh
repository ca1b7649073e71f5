#!/usr/bin/env bash
# Builds the JVM's AOT cache (JEP 483/514/515, Java 25+) for an extracted gateway jar: the classes the gateway
# loads and links while it starts and serves, and the method profiles of its first requests, read back at the next
# start instead of being found, parsed and verified again. It halves the time to the first answer
# (DEPLOYMENT.md "Start-up: the AOT cache").
#
#   java -Djarmode=tools -jar target/api-gateway.jar extract --destination /opt/api-gateway
#   deploy/aot-cache.sh /opt/api-gateway            # writes /opt/api-gateway/app.aot
#   java -XX:AOTCache=/opt/api-gateway/app.aot <same flags> -jar /opt/api-gateway/api-gateway.jar
#
# The training run starts the gateway from APP_DIR with the in-process store, on loopback ports, with itself as its
# upstream (so /proxy/health is a real proxied 200), sends it a bounded set of requests, stops it, and checks that
# the JVM maps the cache it wrote. The cache belongs to that JVM build and those flags: build it with the java and
# the JAVA_TOOL_OPTIONS / JAVA_OPTS that will run the gateway (a cache that does not match is ignored with a
# warning, never an error: the gateway then starts as slowly as without one).
#
# Environment: JAVA (default: java on PATH), JAVA_OPTS (JVM flags, besides JAVA_TOOL_OPTIONS), AOT_TRAIN_PORT
# (default 18980; it and the next three ports are used), AOT_TRAIN_REQUESTS (default 200).
# Exit 0 with a message when the JVM has no AOT cache (before Java 25): nothing is written.
set -euo pipefail

app_dir="${1:?usage: deploy/aot-cache.sh APP_DIR [CACHE_FILE]}"
cache="${2:-$app_dir/app.aot}"
java="${JAVA:-java}"
port="${AOT_TRAIN_PORT:-18980}"
mgmt_port=$((port + 1))
requests="${AOT_TRAIN_REQUESTS:-200}"
jar="$app_dir/api-gateway.jar"
say() { echo "aot-cache: $*" >&2; }

[[ -f "$jar" ]] || { say "no $jar (extract the jar first: java -Djarmode=tools -jar api-gateway.jar extract --destination DIR)"; exit 2; }
if ! "$java" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput '; then
  say "$("$java" -version 2>&1 | head -1): no AOT cache before Java 25, nothing to build"
  exit 0
fi
command -v curl >/dev/null || { say "needs curl"; exit 2; }

log="$(mktemp)"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
PORT="$port" MANAGEMENT_PORT="$mgmt_port" MANAGEMENT_ADDRESS=127.0.0.1 STATE_STORE=memory \
  UPSTREAM_URL="http://127.0.0.1:$port" LOGGING_LEVEL_ROOT=WARN \
  "$java" ${JAVA_OPTS:-} -XX:AOTCacheOutput="$cache" -jar "$jar" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

deadline=$((SECONDS + 180))
until curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; do
  if (( SECONDS > deadline )) || ! kill -0 "$pid" 2>/dev/null; then
    tail -30 "$log" >&2
    say "the training run did not answer /health within 180 s"
    exit 1
  fi
  sleep 0.5
done

# What a serving gateway does: proxied GETs and POSTs with a body, an unknown path, a refused dot-segment path,
# its health and metrics reads.
base="http://127.0.0.1:$port"
for ((i = 0; i < requests; i++)); do
  curl -s -o /dev/null "$base/proxy/health"
  if (( i % 8 == 0 )); then
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data '{"n":1}' "$base/proxy/health"
    curl -s -o /dev/null "$base/no-such-route"
    curl -s -o /dev/null --path-as-is "$base/proxy/../health"
    curl -s -o /dev/null "$base/health/readiness"
    curl -s -o /dev/null "http://127.0.0.1:$mgmt_port/actuator/prometheus"
  fi
done

# A clean stop writes the training data and assembles the cache in a child JVM (tens of seconds on 2 cores).
kill -TERM "$pid"
wait "$pid" || true
trap 'rm -f "$log"' EXIT
[[ -s "$cache" ]] || { tail -30 "$log" >&2; say "the training run wrote no $cache"; exit 1; }

# The cache must map with these flags: AOTMode=on fails the JVM if it cannot (auto would silently skip it).
# shellcheck disable=SC2086
if ! PORT=$((port + 2)) MANAGEMENT_PORT=$((port + 3)) MANAGEMENT_ADDRESS=127.0.0.1 STATE_STORE=memory LOGGING_LEVEL_ROOT=WARN \
  "$java" ${JAVA_OPTS:-} -XX:AOTMode=on -XX:AOTCache="$cache" -Dspring.context.exit=onRefresh -jar "$jar" >"$log" 2>&1; then
  tail -30 "$log" >&2
  say "the JVM could not start with $cache"
  exit 1
fi
say "wrote $cache ($(du -m "$cache" | cut -f1) MiB) after $requests training requests"
