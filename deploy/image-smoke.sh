#!/usr/bin/env bash
# Builds the gateway image from the Dockerfile with Podman (no Docker engine, no daemon) and smoke-tests the
# container: /health, a proxied 200, a 429, the metrics on the management port, and forcing a breaker refused on
# the public port.
#
#   deploy/image-smoke.sh            # needs podman; the base image is made locally when it is missing
#
# Where no container registry is reachable, the base is a minimal Debian made by debootstrap, with the machine's Temurin 25 copied in, from the
# Debian mirror and imported into Podman (BASE_IMAGE, once; about 10 minutes), and the Dockerfile is built FROM it
# through its BUILD_IMAGE/RUNTIME_IMAGE arguments. Set BASE_IMAGE to an existing image (e.g.
# eclipse-temurin:25.0.3_9-jdk-noble) to use that instead. Maven resolves through the host's ~/.m2.
# Sandboxes without a cgroup v2-only host: PODMAN_RUNTIME=runc (the default when runc is installed) and lowered
# ulimits, since crun refuses hybrid cgroups and raising RLIMIT_NPROC.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE="${BASE_IMAGE:-localhost/gateway-base:bookworm-jdk25}"
# The JDK the local base carries: the image runs Java 25 (Dockerfile); Debian bookworm has no JDK 25 package, so the
# machine's own Temurin 25 is copied in, where the eclipse-temurin images keep theirs.
BASE_JDK="${BASE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
IMAGE="${IMAGE:-localhost/api-gateway:smoke}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PODMAN_RUNTIME="${PODMAN_RUNTIME:-$(command -v runc >/dev/null 2>&1 && echo runc || echo crun)}"
DEADLINE_SECONDS="${DEADLINE_SECONDS:-120}"

say() { echo "image-smoke: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }
podman_() { podman --runtime "$PODMAN_RUNTIME" --cgroup-manager cgroupfs "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

command -v podman >/dev/null || die "podman is not installed (apt-get install podman runc)"

if ! podman image exists "$BASE_IMAGE"; then
  [[ "$BASE_IMAGE" == localhost/* ]] || podman pull "$BASE_IMAGE"
fi
if ! podman image exists "$BASE_IMAGE"; then
  command -v debootstrap >/dev/null || die "no $BASE_IMAGE and no debootstrap to make it (apt-get install debootstrap)"
  [[ -x "$BASE_JDK/bin/java" ]] || die "no JDK at BASE_JDK=$BASE_JDK to put into $BASE_IMAGE"
  rootfs="$(mktemp -d /tmp/gateway-base.XXXXXX)"
  say "making $BASE_IMAGE: debootstrap bookworm with curl, and the JDK of $BASE_JDK, into $rootfs"
  debootstrap --variant=minbase --include=curl,ca-certificates bookworm "$rootfs" \
    "$DEBIAN_MIRROR" >"$rootfs.log" 2>&1 || die "debootstrap (log: $rootfs.log)"
  mkdir -p "$rootfs/opt/java"
  cp -rL "$BASE_JDK" "$rootfs/opt/java/openjdk"
  tar -C "$rootfs" --exclude=./proc --exclude=./sys --exclude=./dev -c . \
    | podman import --change 'ENV JAVA_HOME=/opt/java/openjdk' \
        --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
fi

say "building $IMAGE FROM $BASE_IMAGE"
mkdir -p "$HOME/.m2"
build_volumes=(--volume "$HOME/.m2:/root/.m2")
# The local Debian base trusts what this host trusts (a TLS-inspecting proxy to Maven Central, for instance).
if [[ "$BASE_IMAGE" == localhost/* && -f /etc/ssl/certs/java/cacerts ]]; then
  build_volumes+=(--volume /etc/ssl/certs/java/cacerts:/opt/java/openjdk/lib/security/cacerts:ro)
fi
# chroot isolation: the RUN steps need neither cgroups nor an OCI runtime
podman build --isolation chroot --network host "${build_volumes[@]}" \
  --build-arg BUILD_IMAGE="$BASE_IMAGE" --build-arg RUNTIME_IMAGE="$BASE_IMAGE" -t "$IMAGE" . >/tmp/image-smoke-build.log 2>&1 \
  || { tail -30 /tmp/image-smoke-build.log >&2; die "podman build (log: /tmp/image-smoke-build.log)"; }

up_port="$(free_port)"; port="$(free_port)"; mgmt_port="$(free_port)"
[[ -f upstream-service/target/upstream-service.jar ]] || ./mvnw -B -q -f upstream-service/pom.xml package -DskipTests
BIND_ADDRESS=127.0.0.1 java -jar upstream-service/target/upstream-service.jar "$up_port" >/tmp/image-smoke-upstream.log 2>&1 &
upstream_pid=$!
name="gateway-smoke-$$"
cleanup() {
  podman_ rm -f "$name" >/dev/null 2>&1 || true
  kill "$upstream_pid" 2>/dev/null || true
}
trap cleanup EXIT

say "starting $IMAGE on 127.0.0.1:$port (management $mgmt_port), upstream on $up_port"
podman_ run -d --name "$name" --network host \
  --ulimit "nofile=$(ulimit -n):$(ulimit -Hn)" --ulimit nproc=4096:4096 \
  -e PORT="$port" -e MANAGEMENT_PORT="$mgmt_port" -e UPSTREAM_URL="http://127.0.0.1:$up_port" \
  -e RATE_LIMIT_CAPACITY=3 -e RATE_LIMIT_REFILL_RATE=1 -e RATE_LIMIT_REFILL_PERIOD_SECONDS=3600 \
  "$IMAGE" >/dev/null

started=$(date +%s%N)
deadline=$((SECONDS + DEADLINE_SECONDS))
until curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; do
  if (( SECONDS > deadline )) || ! podman_ container exists "$name"; then
    podman_ logs "$name" 2>&1 | tail -30 >&2 || true
    die "no healthy /health within ${DEADLINE_SECONDS}s"
  fi
  sleep 1
done

say "healthy $(( ($(date +%s%N) - started) / 1000000 )) ms after podman run"
# The image's AOT cache (DEPLOYMENT.md "Start-up: the AOT cache") maps into its JVM: the JVM says so when it cannot.
if podman_ logs "$name" 2>&1 | grep -E '\[(warning|error)\]\[aot' >&2; then
  die "the JVM did not use the image's AOT cache (lines above)"
fi
deploy/smoke-checks.sh "$port" "$mgmt_port" 3
uid="$(podman_ exec "$name" id -u)"
[[ "$uid" == "10001" ]] || die "the container runs as uid $uid, not 10001"
say "OK: the image builds, starts, answers as deploy/smoke-checks.sh expects, and runs as uid 10001"
