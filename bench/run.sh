#!/usr/bin/env bash
# Gateway benchmark: wrk against the gateway's /proxy/ok in front of a fast upstream,
# reporting throughput, latency and the gateway's CPU cost per request.
# Builds nothing. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<EOF
Usage: bench/run.sh [options]

  --jar PATH            gateway jar (default: target/api-gateway.jar under the repo root)
  --upstream-jar PATH   upstream-service jar (default: upstream-service/target/upstream-service.jar)
  --upstream KIND       auto (nginx if installed, else the jar) | nginx | jar   (default: auto)
  --scenarios LIST      comma list (default: direct,memory). Each is BASE[@NAME=VALUE...]:
                          direct  wrk straight at the upstream (no gateway)
                          memory  gateway with STATE_STORE=memory
                          redis   gateway with STATE_STORE=redis and a private redis-server
                          auto    gateway with STATE_STORE=auto
                        '@NAME=VALUE' adds env for that scenario only, e.g.
                          --scenarios memory,memory@VIRTUAL_THREADS=true
  --env NAME=VALUE      extra env for every gateway (repeatable)
  --warmup SECONDS      wrk warm-up before each measured gateway run (default: 60; direct: at most 10)
  --duration SECONDS    measured run (default: 30)
  --connections N       wrk connections (default: 16)
  --threads N           wrk threads (default: 1)
  --path PATH           gateway path to load (default: /proxy/ok)
  --jfr                 record a JFR profile of each gateway during its measured run
  --out DIR             where logs, wrk output and JFR files go (default: bench/results/<timestamp>)
  --start-timeout SECS  how long a gateway may take to answer GET /health 200 (default: 60)
  -h, --help

Environment: JAVA_OPTS is passed to the gateway JVM; UPSTREAM_JAVA_OPTS to the upstream-service JVM
(default: -Xmx256m -XX:+UseSerialGC, to keep it small next to the gateway); JAVA (default: java on PATH).
EOF
}

die() { echo "bench: $*" >&2; exit 1; }

# ------------------------------------------------------------------ options
GATEWAY_JAR="$ROOT/target/api-gateway.jar"
UPSTREAM_JAR="$ROOT/upstream-service/target/upstream-service.jar"
UPSTREAM_KIND=auto
SCENARIOS=direct,memory
WARMUP=60
DURATION=30
CONNECTIONS=16
WRK_THREADS=1
GW_PATH=/proxy/ok
JFR=0
OUT_DIR=""
START_TIMEOUT=60
EXTRA_ENV=()
JAVA="${JAVA:-java}"

need_arg() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_pos_int() { [[ "$1" =~ ^[0-9]+$ ]] && (( 10#$1 > 0 )); }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --jar) need_arg "$@"; GATEWAY_JAR="$2"; shift 2 ;;
    --upstream-jar) need_arg "$@"; UPSTREAM_JAR="$2"; shift 2 ;;
    --upstream) need_arg "$@"; UPSTREAM_KIND="$2"; shift 2 ;;
    --scenarios) need_arg "$@"; SCENARIOS="$2"; shift 2 ;;
    --env) need_arg "$@"; [[ "$2" =~ ^[A-Za-z_][A-Za-z0-9_]*=.*$ ]] || die "--env wants NAME=VALUE, got '$2'"
           EXTRA_ENV+=("$2"); shift 2 ;;
    --warmup) need_arg "$@"; WARMUP="$2"; shift 2 ;;
    --duration) need_arg "$@"; DURATION="$2"; shift 2 ;;
    --connections) need_arg "$@"; CONNECTIONS="$2"; shift 2 ;;
    --threads) need_arg "$@"; WRK_THREADS="$2"; shift 2 ;;
    --path) need_arg "$@"; GW_PATH="$2"; shift 2 ;;
    --jfr) JFR=1; shift ;;
    --out) need_arg "$@"; OUT_DIR="$2"; shift 2 ;;
    --start-timeout) need_arg "$@"; START_TIMEOUT="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done

is_uint "$WARMUP" || die "--warmup must be whole seconds"
is_pos_int "$START_TIMEOUT" || die "--start-timeout must be whole seconds > 0"
is_pos_int "$DURATION" || die "--duration must be whole seconds > 0"
is_pos_int "$CONNECTIONS" || die "--connections must be > 0"
is_pos_int "$WRK_THREADS" || die "--threads must be > 0"
(( CONNECTIONS >= WRK_THREADS )) || die "--connections must be at least --threads"
[[ "$GW_PATH" == /* ]] || die "--path must start with /"
case "$UPSTREAM_KIND" in auto|nginx|jar) ;; *) die "--upstream must be auto, nginx or jar" ;; esac

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: wrk is not installed. Install it with: apt-get install wrk" >&2
  exit 2
fi

IFS=',' read -r -a SCENARIO_LIST <<< "$SCENARIOS"
[[ ${#SCENARIO_LIST[@]} -gt 0 ]] || die "no scenarios"
NEED_GATEWAY=0
NEED_REDIS=0
for s in "${SCENARIO_LIST[@]}"; do
  base="${s%%@*}"
  case "$base" in
    direct) ;;
    memory|auto) NEED_GATEWAY=1 ;;
    redis) NEED_GATEWAY=1; NEED_REDIS=1 ;;
    *) die "unknown scenario '$s' (direct, memory, redis, auto)" ;;
  esac
  rest="${s#"$base"}"
  while [[ -n "$rest" ]]; do
    rest="${rest#@}"; kv="${rest%%@*}"; rest="${rest#"$kv"}"
    [[ "$kv" =~ ^[A-Za-z_][A-Za-z0-9_]*=.*$ ]] || die "scenario '$s': '$kv' is not NAME=VALUE"
  done
done

if (( NEED_GATEWAY )); then
  [[ -f "$GATEWAY_JAR" ]] || die "gateway jar not found: $GATEWAY_JAR (build it: ./mvnw -q package -DskipTests)"
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found"
fi
if (( NEED_REDIS )); then
  command -v redis-server >/dev/null 2>&1 || die "scenario redis needs redis-server on PATH (apt-get install redis-server)"
fi

case "$UPSTREAM_KIND" in
  auto) if command -v nginx >/dev/null 2>&1; then UPSTREAM_KIND=nginx; else UPSTREAM_KIND=jar; fi ;;
  nginx) command -v nginx >/dev/null 2>&1 || die "--upstream nginx: nginx is not installed (apt-get install nginx)" ;;
esac
if [[ "$UPSTREAM_KIND" == jar ]]; then
  [[ -f "$UPSTREAM_JAR" ]] || die "upstream jar not found: $UPSTREAM_JAR (build it: cd upstream-service && ../mvnw -q package -DskipTests)"
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found"
fi

CLK_TCK="$(getconf CLK_TCK)"
[[ -z "$OUT_DIR" ]] && OUT_DIR="$ROOT/bench/results/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/gw-bench.XXXXXX")"

# ------------------------------------------------------------------ process bookkeeping
PIDS=()      # every process this script started, in start order

stop_pid() { # pid [grace seconds]: TERM, wait, then KILL
  local pid="$1" grace="${2:-10}" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  echo "bench: pid $pid did not stop in ${grace}s, killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    stop_pid "${PIDS[i]}" 10
  done
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

forget_pid() {
  local pid="$1" kept=() p
  for p in "${PIDS[@]}"; do [[ "$p" == "$pid" ]] || kept+=("$p"); done
  PIDS=("${kept[@]+"${kept[@]}"}")
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    local p i
    for ((i = 0; i < 200; i++)); do
      p=$(( 20000 + RANDOM % 30000 ))
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    die "no free port found"
  fi
}

# HTTP status of GET url (000 when nothing answers); at most 2 s.
http_status() {
  local code
  if command -v curl >/dev/null 2>&1; then
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true)"
  else
    local hostport="${1#http://}" path="/${1#http://*/}"
    hostport="${hostport%%/*}"
    code="$(timeout 2 bash -c "exec 3<>/dev/tcp/${hostport%:*}/${hostport#*:} && printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' '$path' '$hostport' >&3 && head -c 12 <&3" 2>/dev/null \
      | awk '{print $2}' || true)"
  fi
  echo "${code:-000}"
}

# wait_ready URL PID DEADLINE_SECONDS LOG: until URL answers 200, the process dies, or the deadline.
wait_ready() {
  local url="$1" pid="$2" limit="$3" log="$4" start=$SECONDS code
  while :; do
    code="$(http_status "$url")"
    [[ "$code" == 200 ]] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench: process $pid exited before $url answered; last log lines ($log):" >&2
      tail -n 30 "$log" >&2 || true
      exit 1
    fi
    if (( SECONDS - start >= limit )); then
      echo "bench: $url not 200 after ${limit}s (last: $code); last log lines ($log):" >&2
      tail -n 30 "$log" >&2 || true
      exit 1
    fi
    sleep 0.25
  done
}

wait_port() { # host port pid limit log
  local start=$SECONDS
  until (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { echo "bench: process $3 exited; log $5:" >&2; tail -n 30 "$5" >&2 || true; exit 1; }
    (( SECONDS - start < $4 )) || { echo "bench: $1:$2 not listening after $4s" >&2; exit 1; }
    sleep 0.1
  done
}

cpu_ticks() { # utime+stime of a pid, in clock ticks (fields 14 and 15 of /proc/PID/stat)
  local stat rest
  stat="$(cat "/proc/$1/stat")"
  rest="${stat##*) }"   # drop "pid (comm) ", comm may hold spaces
  awk '{print $12 + $13}' <<< "$rest"
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# ------------------------------------------------------------------ upstream
UPSTREAM_PORT="$(free_port)"
UPSTREAM_LOG="$OUT_DIR/upstream.log"
if [[ "$UPSTREAM_KIND" == nginx ]]; then
  mkdir -p "$TMP/nginx/logs" "$TMP/nginx/tmp"
  cat > "$TMP/nginx/nginx.conf" <<EOF
worker_processes 1;
master_process off;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $OUT_DIR/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path $TMP/nginx/tmp/body;
  proxy_temp_path $TMP/nginx/tmp/proxy;
  fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
  scgi_temp_path $TMP/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    location / { default_type text/plain; return 200 'ok'; }
  }
}
EOF
  nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$OUT_DIR/nginx-error.log" > "$UPSTREAM_LOG" 2>&1 &
  UPSTREAM_PID=$!
  PIDS+=("$UPSTREAM_PID")
  UPSTREAM_DESC="nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (1 process)"
  UPSTREAM_OK_PATH=/ok
else
  # shellcheck disable=SC2086  # a list of options on purpose
  PORT="$UPSTREAM_PORT" BIND_ADDRESS=127.0.0.1 "$JAVA" ${UPSTREAM_JAVA_OPTS--Xmx256m -XX:+UseSerialGC} \
    -jar "$UPSTREAM_JAR" > "$UPSTREAM_LOG" 2>&1 &
  UPSTREAM_PID=$!
  PIDS+=("$UPSTREAM_PID")
  UPSTREAM_DESC="upstream-service ($UPSTREAM_JAR)"
  UPSTREAM_OK_PATH=/ok
fi
UPSTREAM_URL="http://127.0.0.1:$UPSTREAM_PORT"
wait_ready "$UPSTREAM_URL$UPSTREAM_OK_PATH" "$UPSTREAM_PID" 30 "$UPSTREAM_LOG"

# ------------------------------------------------------------------ redis (only if a scenario needs it)
REDIS_PORT=""
start_redis() {
  [[ -n "$REDIS_PORT" ]] && return 0
  REDIS_PORT="$(free_port)"
  mkdir -p "$TMP/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --dir "$TMP/redis" --daemonize no --protected-mode yes > "$OUT_DIR/redis.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  wait_port 127.0.0.1 "$REDIS_PORT" "$REDIS_PID" 15 "$OUT_DIR/redis.log"
}

# ------------------------------------------------------------------ wrk
# run_wrk SECONDS URL OUTFILE
run_wrk() {
  local secs="$1" url="$2" out="$3"
  # wrk stops itself after -d; the outer timeout only guards against a wedged wrk.
  # In the background + wait, so a TERM to this script is handled at once, not after wrk ends.
  local wpid
  timeout --kill-after=5 $(( secs + 30 )) \
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${secs}s" --timeout 10s --latency "$url" > "$out" 2>&1 &
  wpid=$!
  PIDS+=("$wpid")
  wait "$wpid" || { echo "bench: wrk failed ($out):" >&2; cat "$out" >&2; exit 1; }
  forget_pid "$wpid"
}

to_us() { # wrk latency (e.g. 512.00us, 1.20ms, 2.00s) to microseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") m = 1; else if (u == "ms") m = 1000; else if (u == "s") m = 1000000; else if (u == "m") m = 60000000; else m = 0
    printf "%.0f", n * m }'
}

# parse_wrk FILE -> sets W_RPS W_P50 W_P99 W_REQUESTS W_NON2XX W_SOCKERR
parse_wrk() {
  local f="$1"
  W_RPS="$(awk '/^Requests\/sec:/ {print $2}' "$f")"
  W_REQUESTS="$(awk '/requests in/ {print $1}' "$f")"
  W_P50="$(to_us "$(awk '$1 == "50%" {print $2}' "$f")")"
  W_P99="$(to_us "$(awk '$1 == "99%" {print $2}' "$f")")"
  W_NON2XX="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$f")"
  W_NON2XX="${W_NON2XX:-0}"
  W_SOCKERR="$(awk '/Socket errors:/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i; print n + 0}' "$f")"
  W_SOCKERR="${W_SOCKERR:-0}"
  [[ -n "$W_RPS" && -n "$W_REQUESTS" ]] || { echo "bench: cannot parse wrk output $f:" >&2; cat "$f" >&2; exit 1; }
}

RESULTS="$OUT_DIR/results.txt"
header_line() {
  printf '%-34s %10s %9s %9s %8s %8s %12s %9s %s\n' \
    scenario "req/s" "p50_us" "p99_us" "non2xx" "sockerr" "cpu_us/req" "rss_MiB" "cpu_of" | tee -a "$RESULTS"
}
result_line() { # name rps p50 p99 non2xx sockerr cpu rss who
  printf '%-34s %10s %9s %9s %8s %8s %12s %9s %s\n' "$@" | tee -a "$RESULTS"
}

# measure NAME URL PID WARMUP -> prints the result line; PID is the process whose CPU is charged
measure() {
  local name="$1" url="$2" pid="$3" warm="$4" who="$5" safe t0 t1 cpu rss jfr_file=""
  safe="$(tr -c 'A-Za-z0-9_.=-' '_' <<< "$name" | sed 's/_*$//')"
  if (( warm > 0 )); then
    echo "  [$name] warm-up ${warm}s ..." >&2
    run_wrk "$warm" "$url" "$OUT_DIR/wrk-$safe-warmup.txt"
  fi
  if (( JFR )) && [[ "$who" == gateway ]] && command -v jcmd >/dev/null 2>&1; then
    jfr_file="$OUT_DIR/$safe.jfr"
    jcmd "$pid" JFR.start name=bench settings=profile > "$OUT_DIR/jcmd-$safe.log" 2>&1 \
      || { echo "bench: jcmd JFR.start failed, see $OUT_DIR/jcmd-$safe.log" >&2; jfr_file=""; }
  fi
  echo "  [$name] measuring ${DURATION}s: wrk -t$WRK_THREADS -c$CONNECTIONS --latency $url" >&2
  t0="$(cpu_ticks "$pid")"
  run_wrk "$DURATION" "$url" "$OUT_DIR/wrk-$safe.txt"
  t1="$(cpu_ticks "$pid")"
  if [[ -n "$jfr_file" ]]; then
    jcmd "$pid" JFR.stop name=bench filename="$jfr_file" >> "$OUT_DIR/jcmd-$safe.log" 2>&1 \
      && JFR_FILES+=("$jfr_file") \
      || echo "bench: jcmd JFR.stop failed, see $OUT_DIR/jcmd-$safe.log" >&2
  fi
  rss="$(awk -v k="$(rss_kib "$pid")" 'BEGIN {printf "%.0f", k / 1024}')"
  parse_wrk "$OUT_DIR/wrk-$safe.txt"
  cpu="$(awk -v d="$(( t1 - t0 ))" -v hz="$CLK_TCK" -v n="$W_REQUESTS" \
        'BEGIN { if (n > 0) printf "%.1f", d / hz * 1e6 / n; else print "-" }')"
  result_line "$name" "$W_RPS" "$W_P50" "$W_P99" "$W_NON2XX" "$W_SOCKERR" "$cpu" "$rss" "$who"
}

# ------------------------------------------------------------------ gateway
GATEWAY_PID=""
start_gateway() { # scenario-name store extra-env...
  local name="$1" store="$2"; shift 2
  local port log safe env_args=() jfr_opt=""
  port="$(free_port)"
  safe="$(tr -c 'A-Za-z0-9_.=-' '_' <<< "$name" | sed 's/_*$//')"
  log="$OUT_DIR/gateway-$safe.log"
  env_args=(
    "PORT=$port"
    "UPSTREAM_URL=$UPSTREAM_URL"
    "STATE_STORE=$store"
    "RATE_LIMIT_CAPACITY=1000000000"
    "RATE_LIMIT_REFILL_RATE=1000000000"
    "RATE_LIMIT_REFILL_PERIOD_SECONDS=1"
    "LOGGING_LEVEL_ROOT=WARN"
  )
  if [[ "$store" == redis ]]; then
    start_redis
    env_args+=("REDIS_HOST=127.0.0.1" "REDIS_PORT=$REDIS_PORT")
  fi
  env_args+=("${EXTRA_ENV[@]+"${EXTRA_ENV[@]}"}" "$@")
  if (( JFR )) && ! command -v jcmd >/dev/null 2>&1; then
    # No jcmd: record from start to exit (includes start-up and warm-up).
    jfr_opt="-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$OUT_DIR/$safe.jfr"
    JFR_FILES+=("$OUT_DIR/$safe.jfr (whole run, jcmd not found)")
  fi
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of options on purpose
  env "${env_args[@]}" "$JAVA" ${JAVA_OPTS:-} $jfr_opt -jar "$GATEWAY_JAR" > "$log" 2>&1 &
  GATEWAY_PID=$!
  PIDS+=("$GATEWAY_PID")
  GATEWAY_URL="http://127.0.0.1:$port"
  echo "  [$name] gateway pid $GATEWAY_PID on $GATEWAY_URL (log $log)" >&2
  local started=$SECONDS
  wait_ready "$GATEWAY_URL/health" "$GATEWAY_PID" "$START_TIMEOUT" "$log"
  echo "  [$name] ready after $(( SECONDS - started ))s" >&2
  local probe
  probe="$(http_status "$GATEWAY_URL$GW_PATH")"
  [[ "$probe" =~ ^2 ]] || echo "  [$name] warning: GET $GW_PATH answers $probe, not 2xx" >&2
}

stop_gateway() {
  [[ -n "$GATEWAY_PID" ]] || return 0
  stop_pid "$GATEWAY_PID" 30
  forget_pid "$GATEWAY_PID"
  GATEWAY_PID=""
}

# ------------------------------------------------------------------ run
JFR_FILES=()
{
  echo "# $(date -u +%FT%TZ)  $(nproc) CPUs  load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# upstream: $UPSTREAM_DESC at $UPSTREAM_URL"
  (( NEED_GATEWAY )) && echo "# gateway: $GATEWAY_JAR  JAVA_OPTS='${JAVA_OPTS:-}'  extra env: ${EXTRA_ENV[*]:-none}"
  echo "# wrk: -t$WRK_THREADS -c$CONNECTIONS, warm-up ${WARMUP}s (direct: $(( WARMUP < 10 ? WARMUP : 10 ))s)," \
       "measured ${DURATION}s; latencies in microseconds"
} | tee "$RESULTS"
header_line

for s in "${SCENARIO_LIST[@]}"; do
  base="${s%%@*}"
  scen_env=()
  rest="${s#"$base"}"
  while [[ -n "$rest" ]]; do
    rest="${rest#@}"; kv="${rest%%@*}"; rest="${rest#"$kv"}"
    scen_env+=("$kv")
  done
  case "$base" in
    direct)
      warm=$(( WARMUP < 10 ? WARMUP : 10 ))
      measure "$s" "$UPSTREAM_URL$UPSTREAM_OK_PATH" "$UPSTREAM_PID" "$warm" upstream
      ;;
    memory|redis|auto)
      start_gateway "$s" "$base" "${scen_env[@]+"${scen_env[@]}"}"
      measure "$s" "$GATEWAY_URL$GW_PATH" "$GATEWAY_PID" "$WARMUP" gateway
      stop_gateway
      ;;
  esac
done

echo "# files: $OUT_DIR" | tee -a "$RESULTS"
if (( ${#JFR_FILES[@]} > 0 )); then
  echo "# JFR recordings (measured run only unless noted):" | tee -a "$RESULTS"
  for f in "${JFR_FILES[@]}"; do echo "#   $f" | tee -a "$RESULTS"; done
  echo "# inspect: bench/profile.sh FILE (hottest methods); jfr summary FILE; jfr print --events jdk.ExecutionSample FILE;" \
       "or open it in JDK Mission Control" | tee -a "$RESULTS"
fi
