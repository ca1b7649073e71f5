#!/usr/bin/env bash
# What a running gateway must answer, from outside: used by deploy/image-smoke.sh (Podman) and by the workflow's
# image job (Compose).
#   deploy/smoke-checks.sh <port> <management-port> <rate-limit-capacity>
# /health is UP; /proxy/ok is a proxied 200 until the client's bucket (capacity requests) is empty, then 429
# rate_limited with Retry-After; forcing a breaker on the public port is 404; the management port serves the
# gateway's metrics.
set -euo pipefail
port="${1:?port}" mgmt_port="${2:?management port}" capacity="${3:?rate-limit capacity}"
body="$(mktemp)" headers="$(mktemp)"
trap 'rm -f "$body" "$headers"' EXIT

die() { echo "smoke: FAILED: $*" >&2; exit 1; }
expect() { # status url [curl args...]
  local want="$1" url="$2"; shift 2
  local got; got="$(curl -s -o "$body" -D "$headers" -w '%{http_code}' --max-time 10 "$@" "$url")"
  [[ "$got" == "$want" ]] || die "$url answered $got, expected $want: $(head -c 300 "$body")"
}

expect 200 "http://127.0.0.1:$port/health"
grep -q '"status":"UP"' "$body" || die "/health body: $(cat "$body")"
for ((i = 0; i < capacity; i++)); do
  expect 200 "http://127.0.0.1:$port/proxy/ok"
done
expect 429 "http://127.0.0.1:$port/proxy/ok"
grep -qi '^retry-after:' "$headers" || die "the 429 has no Retry-After"
grep -q '"error":"rate_limited"' "$body" || die "429 body: $(cat "$body")"
expect 404 "http://127.0.0.1:$port/actuator/circuitbreakers/proxy" -X POST -H 'Content-Type: application/json' \
  -d '{"action":"open"}'
expect 200 "http://127.0.0.1:$mgmt_port/actuator/prometheus"
grep -q '^gateway_requests_total{' "$body" || die "no gateway_requests_total in the scrape"
grep -q '^gateway_rate_limit_rejected_total{' "$body" || die "no gateway_rate_limit_rejected_total in the scrape"
echo "smoke: OK: health, $capacity proxied 200s then a 429 with Retry-After, no breaker write on the public port," \
  "metrics on the management port" >&2
