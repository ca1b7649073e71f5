#!/usr/bin/env bash
# Deploys the gateway one of four ways; see DEPLOYMENT.md for what each does step by step.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

# The image name the k8s base uses; k8s deploys rewrite it to IMAGE_REPO:<tag>.
BASE_IMAGE="ghcr.io/your-org/api-gateway"

usage() {
  cat <<USAGE
Usage: ./deploy.sh <command> [args]

  compose-dev                      build and start gateway + Redis + upstream-service (docker-compose.yml)
  compose-prod                     start nginx (TLS) + 3 gateways + Redis from .env (docker-compose.prod.yml)
  k8s <staging|production> <tag>   apply k8s/overlays/<env> with image \$IMAGE_REPO:<tag>, wait for the rollout
  vm <host>                        build the jar, copy it and the systemd unit to <host> over ssh, restart it
  -h, --help                       this help

Environment:
  IMAGE_REPO      image repository for k8s (default: $BASE_IMAGE)
  WITH_MONITORING=1  also start docker-compose.monitoring.yml (compose-dev, compose-prod)
  SSH_USER        user for vm (default: current user; needs sudo on the host)
USAGE
}

die() { echo "deploy.sh: $*" >&2; exit 1; }

compose_files() {
  local files=(-f "$1")
  if [[ "${WITH_MONITORING:-0}" == "1" ]]; then
    files+=(-f docker-compose.monitoring.yml)
  fi
  printf '%s\n' "${files[@]}"
}

compose_dev() {
  mapfile -t files < <(compose_files docker-compose.yml)
  docker compose "${files[@]}" up --build -d
  docker compose "${files[@]}" ps
}

compose_prod() {
  [[ -f .env ]] || die "no .env: cp .env.example .env and set REDIS_PASSWORD, GATEWAY_IMAGE_TAG"
  [[ -f deploy/nginx/certs/fullchain.pem && -f deploy/nginx/certs/privkey.pem ]] \
    || die "no TLS certificate: put fullchain.pem and privkey.pem in deploy/nginx/certs/"
  mapfile -t files < <(compose_files docker-compose.prod.yml)
  docker compose "${files[@]}" pull --ignore-buildable
  docker compose "${files[@]}" up -d --remove-orphans
  # nginx resolved the gateway replicas' addresses when it started; recreated containers may have new ones.
  docker compose "${files[@]}" exec nginx nginx -s reload
  docker compose "${files[@]}" ps
}

k8s() {
  local env="${1:-}" tag="${2:-}"
  [[ "$env" == "staging" || "$env" == "production" ]] || die "k8s: environment must be staging or production"
  [[ -n "$tag" ]] || die "k8s: image tag missing"
  local repo="${IMAGE_REPO:-$BASE_IMAGE}"
  # A throwaway overlay on top of the environment's one that only pins the image. It must live
  # inside k8s/: kustomize refuses absolute paths and roots that contain their own bases.
  KUSTOMIZE_TMP="$(mktemp -d "$ROOT/k8s/.deploy.XXXXXX")"
  trap 'rm -rf "$KUSTOMIZE_TMP"' EXIT
  local tmp="$KUSTOMIZE_TMP"
  cat > "$tmp/kustomization.yaml" <<KUSTOMIZATION
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../overlays/$env
images:
  - name: $BASE_IMAGE
    newName: $repo
    newTag: "$tag"
KUSTOMIZATION
  local namespace
  namespace="$(kubectl kustomize "$tmp" | awk '/^kind: Namespace/{ns=1} ns && /^  name:/{print $2; exit}')"
  kubectl apply -k "$tmp"
  kubectl -n "$namespace" rollout status deployment/api-gateway --timeout=10m
}

vm() {
  local host="${1:-}"
  [[ -n "$host" ]] || die "vm: host missing"
  local target="${SSH_USER:+$SSH_USER@}$host"
  ./mvnw -B -q package -DskipTests
  scp target/api-gateway.jar deploy/systemd/api-gateway.service deploy/systemd/gateway.env.example "$target:/tmp/"
  # First install: creates the user and an env file from the example; later: swaps the jar, keeps
  # the previous one as api-gateway.jar.previous for a rollback, and restarts.
  ssh "$target" 'set -euo pipefail
    id api-gateway >/dev/null 2>&1 || sudo useradd --system --home-dir /opt/api-gateway --shell /usr/sbin/nologin api-gateway
    sudo install -d -o root -g root -m 0755 /opt/api-gateway /etc/api-gateway/routes
    if [ ! -f /etc/api-gateway/gateway.env ]; then
      sudo install -o root -g api-gateway -m 0640 /tmp/gateway.env.example /etc/api-gateway/gateway.env
      echo "created /etc/api-gateway/gateway.env from the example: review it"
    fi
    if [ -f /opt/api-gateway/api-gateway.jar ]; then
      sudo cp -p /opt/api-gateway/api-gateway.jar /opt/api-gateway/api-gateway.jar.previous
    fi
    sudo install -o root -g root -m 0644 /tmp/api-gateway.jar /opt/api-gateway/api-gateway.jar
    sudo install -o root -g root -m 0644 /tmp/api-gateway.service /etc/systemd/system/api-gateway.service
    rm -f /tmp/api-gateway.jar /tmp/api-gateway.service /tmp/gateway.env.example
    sudo systemctl daemon-reload
    sudo systemctl enable api-gateway
    sudo systemctl restart api-gateway
    for i in $(seq 1 60); do
      if curl -fsS -o /dev/null "http://127.0.0.1:$(sudo sed -n "s/^PORT=//p" /etc/api-gateway/gateway.env | tail -n 1 | grep . || echo 5000)/health"; then
        echo "api-gateway is up"; exit 0
      fi
      sleep 1
    done
    echo "api-gateway did not become healthy; journalctl -u api-gateway" >&2; exit 1'
}

case "${1:-}" in
  compose-dev)  shift; compose_dev "$@" ;;
  compose-prod) shift; compose_prod "$@" ;;
  k8s)          shift; k8s "$@" ;;
  vm)           shift; vm "$@" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
