#!/usr/bin/env bash
# Gateway benchmark: wrk against the gateway's /proxy/ok in front of a fast upstream, side by side with a
# Spring Cloud Gateway peer (bench/scg), reporting the CPU cost per request, latency, memory, ready time and
# the warm-up curve of each. Builds only the SCG peer and the Vert.x spike (when their scenarios run). See
# bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<EOF
Usage: bench/run.sh [options]

  --jar PATH            gateway jar (default: target/api-gateway.jar under the repo root)
  --upstream-jar PATH   upstream-service jar (default: upstream-service/target/upstream-service.jar)
  --upstream KIND       auto (nginx if installed, else the jar) | nginx | jar   (default: auto)
  --scenarios LIST      comma list (default: direct,memory,redis,scg,scg-nolimit). Each is
                        [LABEL:]BASE[@NAME=VALUE...]:
                          direct       wrk straight at the upstream (no gateway)
                          memory       gateway with STATE_STORE=memory
                          redis        gateway with STATE_STORE=redis and the run's private redis-server
                          auto         gateway with STATE_STORE=auto
                          scg          Spring Cloud Gateway peer (bench/scg) + RedisRateLimiter on that redis-server
                          scg-nolimit  the same peer without the limiter
                          spike-vertx  the Vert.x spike (bench/spike-vertx) with its Redis limiter on that redis-server
                        '@NAME=VALUE' adds env for that scenario only; JAVA_HOME=DIR runs it on DIR/bin/java,
                        JAVA_OPTS=... replaces \$JAVA_OPTS for it (split on spaces), AOT_CACHE=1 runs a gateway
                        as the image does: extracted, with an AOT cache trained first (deploy/aot-cache.sh, Java
                        25+, with that scenario's java and JAVA_OPTS; the training is not part of its ready time), e.g.
                          --scenarios 'memory,memory@VIRTUAL_THREADS=true,redis@JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64'
                        LABEL names the row (default: the whole entry) and is what --scenario-opts refers to
  --scenario-opts LABEL=OPTS
                        JAVA_OPTS for the scenario(s) labelled LABEL, any characters (commas, @), split on
                        spaces; replaces \$JAVA_OPTS and @JAVA_OPTS for them (repeatable)
  --env NAME=VALUE      extra env for every gateway and SCG peer (repeatable; JAVA_HOME/JAVA_OPTS as above)
  --warmup SECONDS      wrk warm-up before each measured run, in slices (default: 60; direct: at most 10)
  --slice SECONDS       length of one warm-up slice of the warm-up curve (default: 5)
  --duration SECONDS    measured run (default: 30)
  --connections N       wrk connections (default: 64)
  --threads N           wrk threads (default: 1)
  --path PATH           gateway path to load (default: /proxy/ok)
  --jfr                 record a JFR profile of each gateway/SCG JVM during its measured run
  --out DIR             where logs, wrk output and JFR files go (default: bench/results/<timestamp>)
  --start-timeout SECS  how long a gateway may take to answer 200 on --path (default: 180)
  -h, --help

Environment: JAVA_OPTS is passed to the gateway and SCG JVMs; UPSTREAM_JAVA_OPTS to the upstream-service JVM
(default: -Xmx256m -XX:+UseSerialGC, to keep it small next to the gateway); JAVA (default: java on PATH).
EOF
}

die() { echo "bench: $*" >&2; exit 1; }

# ------------------------------------------------------------------ options
GATEWAY_JAR="$ROOT/target/api-gateway.jar"
UPSTREAM_JAR="$ROOT/upstream-service/target/upstream-service.jar"
SCG_DIR="$ROOT/bench/scg"
SCG_JAR="$SCG_DIR/target/scg-peer.jar"
SPIKE_DIR="$ROOT/bench/spike-vertx"
SPIKE_JAR="$SPIKE_DIR/target/spike-vertx.jar"
UPSTREAM_KIND=auto
SCENARIOS=direct,memory,redis,scg,scg-nolimit
WARMUP=60
SLICE=5
DURATION=30
CONNECTIONS=64
WRK_THREADS=1
GW_PATH=/proxy/ok
JFR=0
OUT_DIR=""
START_TIMEOUT=180
EXTRA_ENV=()
SCENARIO_OPTS=()   # LABEL=OPTS
JAVA="${JAVA:-java}"
POLL=0.05          # seconds between two ready probes

need_arg() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_pos_int() { [[ "$1" =~ ^[0-9]+$ ]] && (( 10#$1 > 0 )); }
is_env() { [[ "$1" =~ ^[A-Za-z_][A-Za-z0-9_]*=.*$ ]]; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --jar) need_arg "$@"; GATEWAY_JAR="$2"; shift 2 ;;
    --upstream-jar) need_arg "$@"; UPSTREAM_JAR="$2"; shift 2 ;;
    --upstream) need_arg "$@"; UPSTREAM_KIND="$2"; shift 2 ;;
    --scenarios) need_arg "$@"; SCENARIOS="$2"; shift 2 ;;
    --scenario-opts) need_arg "$@"; [[ "$2" =~ ^[A-Za-z0-9_.-]+=.*$ ]] || die "--scenario-opts wants LABEL=OPTS, got '$2'"
           SCENARIO_OPTS+=("$2"); shift 2 ;;
    --env) need_arg "$@"; is_env "$2" || die "--env wants NAME=VALUE, got '$2'"
           EXTRA_ENV+=("$2"); shift 2 ;;
    --warmup) need_arg "$@"; WARMUP="$2"; shift 2 ;;
    --slice) need_arg "$@"; SLICE="$2"; shift 2 ;;
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
is_pos_int "$SLICE" || die "--slice must be whole seconds > 0"
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

# ------------------------------------------------------------------ scenarios
# Per scenario i: S_LABEL, S_BASE, S_ENV (NAME=VALUE lines), S_JAVA (java binary), S_JCMD, S_OPTS (JAVA_OPTS).
S_LABEL=(); S_BASE=(); S_ENV=(); S_JAVA=(); S_JCMD=(); S_OPTS=()
NEED_GATEWAY=0
NEED_SCG=0
NEED_SPIKE=0
NEED_REDIS=0

# apply_env I NAME=VALUE: JAVA_HOME and JAVA_OPTS pick the JVM and its options, the rest is process env.
apply_env() {
  local i="$1" kv="$2" name="${2%%=*}" value="${2#*=}"
  case "$name" in
    JAVA_HOME)
      [[ -x "$value/bin/java" ]] || die "scenario '${S_LABEL[i]}': JAVA_HOME=$value has no bin/java"
      S_JAVA[i]="$value/bin/java"; S_ENV[i]+="$kv"$'\n' ;;
    JAVA_OPTS) S_OPTS[i]="$value" ;;
    AOT_CACHE) S_AOT[i]="$value" ;;
    *) S_ENV[i]+="$kv"$'\n' ;;
  esac
}

IFS=',' read -r -a SCENARIO_LIST <<< "$SCENARIOS"
[[ ${#SCENARIO_LIST[@]} -gt 0 ]] || die "no scenarios"
for i in "${!SCENARIO_LIST[@]}"; do
  s="${SCENARIO_LIST[i]}"
  head="${s%%@*}"
  label="$s"; base="$head"
  if [[ "$head" == *:* ]]; then
    label="${head%%:*}"; base="${head#*:}"
    [[ "$label" =~ ^[A-Za-z0-9_.-]+$ ]] || die "scenario '$s': label '$label' may hold only letters, digits, _ . -"
  fi
  case "$base" in
    direct) ;;
    memory|auto) NEED_GATEWAY=1 ;;
    redis) NEED_GATEWAY=1; NEED_REDIS=1 ;;
    scg) NEED_SCG=1; NEED_REDIS=1 ;;
    scg-nolimit) NEED_SCG=1 ;;
    spike-vertx) NEED_SPIKE=1; NEED_REDIS=1 ;;
    *) die "unknown scenario '$s' (direct, memory, redis, auto, scg, scg-nolimit, spike-vertx)" ;;
  esac
  S_LABEL[i]="$label"; S_BASE[i]="$base"; S_ENV[i]=""; S_JAVA[i]="$JAVA"; S_OPTS[i]="${JAVA_OPTS:-}"; S_AOT[i]=0
  for kv in "${EXTRA_ENV[@]+"${EXTRA_ENV[@]}"}"; do apply_env "$i" "$kv"; done
  rest="${s#"$head"}"
  while [[ -n "$rest" ]]; do
    rest="${rest#@}"; kv="${rest%%@*}"; rest="${rest#"$kv"}"
    is_env "$kv" || die "scenario '$s': '$kv' is not NAME=VALUE"
    apply_env "$i" "$kv"
  done
done
for o in "${SCENARIO_OPTS[@]+"${SCENARIO_OPTS[@]}"}"; do
  found=0
  for i in "${!S_LABEL[@]}"; do
    [[ "${S_LABEL[i]}" == "${o%%=*}" ]] && { S_OPTS[i]="${o#*=}"; found=1; }
  done
  (( found )) || die "--scenario-opts: no scenario labelled '${o%%=*}' (label one: --scenarios '${o%%=*}:BASE...')"
done
for i in "${!S_LABEL[@]}"; do
  if [[ "${S_BASE[i]}" != direct ]]; then
    command -v "${S_JAVA[i]}" >/dev/null 2>&1 || die "scenario '${S_LABEL[i]}': java not found (${S_JAVA[i]})"
    # jcmd of the same JDK: another version's jcmd may not attach
    S_JCMD[i]="$(dirname "$(command -v "${S_JAVA[i]}")")/jcmd"
    [[ -x "${S_JCMD[i]}" ]] || S_JCMD[i]="$(command -v jcmd 2>/dev/null || true)"
  else
    S_JCMD[i]=""
  fi
done

if (( NEED_GATEWAY )); then
  [[ -f "$GATEWAY_JAR" ]] || die "gateway jar not found: $GATEWAY_JAR (build it: ./mvnw -q package -DskipTests)"
fi
if (( NEED_REDIS )); then
  command -v redis-server >/dev/null 2>&1 || die "scenarios redis, scg and spike-vertx need redis-server on PATH (apt-get install redis-server)"
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

# ------------------------------------------------------------------ SCG peer, Vert.x spike: build when missing or stale
# build_peer DIR JAR NAME [NEWER...]: ./mvnw package of DIR/pom.xml when JAR is missing or older than its pom, its
# src or any NEWER file (log in --out/NAME-build.log).
build_peer() {
  local dir="$1" jar="$2" name="$3" rel
  shift 3
  rel="${dir#"$ROOT/"}"
  if [[ ! -f "$jar" || -n "$(find "$dir/pom.xml" "$dir/src" "$@" -newer "$jar" -print -quit)" ]]; then
    echo "bench: building $name: ./mvnw -B -q -f $rel/pom.xml package (log $OUT_DIR/$name-build.log)" >&2
    (cd "$ROOT" && ./mvnw -B -q -f "$rel/pom.xml" package) > "$OUT_DIR/$name-build.log" 2>&1 \
      || { tail -n 30 "$OUT_DIR/$name-build.log" >&2; die "building $name failed"; }
  fi
}
if (( NEED_SPIKE )); then
  # the spike's jar carries the gateway's token bucket script
  build_peer "$SPIKE_DIR" "$SPIKE_JAR" spike-vertx "$ROOT/src/main/resources/META-INF/scripts/token_bucket.lua"
fi
if (( NEED_SCG )); then
  build_peer "$SCG_DIR" "$SCG_JAR" scg
  SCG_LIBS="$( (unzip -Z1 "$SCG_JAR" 2>/dev/null || true) \
    | sed -n -E 's#^BOOT-INF/lib/(spring-cloud-gateway-server|spring-boot|reactor-netty-http|lettuce-core)-([0-9][^/]*)\.jar$#\1 \2#p' \
    | paste -sd, - | sed 's/,/, /g')"
fi
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

now_us() { # wall clock in microseconds, without a fork where bash has EPOCHREALTIME
  if [[ -n "${EPOCHREALTIME:-}" ]]; then echo "${EPOCHREALTIME/[.,]/}"; else echo $(( $(date +%s%N) / 1000 )); fi
}

# wait_ready URL PID DEADLINE_SECONDS LOG: until URL answers 200 (probed every $POLL s), the process dies,
# or the deadline.
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
    sleep "$POLL"
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
REDIS_PID=""
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

# redis_snapshot FILE: "total N" (commands processed) and "COMMAND CALLS" lines of the private redis-server,
# from one INFO (empty without redis-cli). Commands a Lua script runs count too.
redis_snapshot() {
  : > "$1"
  command -v redis-cli >/dev/null 2>&1 || return 0
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" info stats commandstats 2>/dev/null | tr -d '\r' \
    | sed -n -E 's/^total_commands_processed:([0-9]+)$/total \1/p; s/^cmdstat_([^:]+):calls=([0-9]+),.*/\1 \2/p' \
    > "$1" || true
}

# redis_per_req BEFORE AFTER REQUESTS: "total X" and "COMMAND X" lines, X = calls per request between the two
# snapshots (the INFO of the first snapshot left out), most frequent first.
redis_per_req() {
  awk -v n="$3" 'NR == FNR { a[$1] = $2; next }
    { d = $2 - a[$1]; if ($1 == "total" || $1 == "info") d--; if (d > 0 && n > 0) printf "%s %.2f\n", $1, d / n }' \
    "$1" "$2" | sort -k2,2nr
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


# per_req TICKS REQUESTS -> µs of CPU per request ("-" without requests)
per_req() {
  awk -v d="$1" -v hz="$CLK_TCK" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", d / hz * 1e6 / n; else print "-" }'
}

safe_name() { tr -c 'A-Za-z0-9_.=-' '_' <<< "$1" | sed 's/_*$//'; }

# ------------------------------------------------------------------ results
# Per scenario i, filled by start_jvm and measure: R_RPS R_P50 R_P99 R_NON2XX R_SOCKERR R_CPU R_RCPU R_RCMD
# R_RSS R_READY R_STEADY R_JAVAV R_WHO, R_CURVE ("END_S:REQ/S:CPU_US ..." of the warm-up slices) and
# R_RBREAK (Redis calls per request by command).
R_RPS=(); R_P50=(); R_P99=(); R_NON2XX=(); R_SOCKERR=(); R_CPU=(); R_RCPU=(); R_RCMD=(); R_RSS=()
R_READY=(); R_STEADY=(); R_JAVAV=(); R_WHO=(); R_CURVE=(); R_RBREAK=()
RESULTS="$OUT_DIR/results.txt"
RESULTS_MD="$OUT_DIR/results.md"
LW=12
for l in "${S_LABEL[@]}"; do (( ${#l} > LW )) && LW=${#l}; done
LINE_FMT="%-${LW}s %10s %8s %8s %7s %7s %11s %9s %9s %8s %8s %8s %-8s %s\n"

header_line() {
  # shellcheck disable=SC2059  # the format is built above
  printf "$LINE_FMT" scenario "req/s" "p50_us" "p99_us" "non2xx" "sockerr" "cpu_us/req" "redis_us" "redis_cmd" \
    "rss_MiB" "ready_s" "steady_s" "java" "cpu_of" | tee -a "$RESULTS"
}
result_line() { # i
  local i="$1"
  # shellcheck disable=SC2059
  printf "$LINE_FMT" "${S_LABEL[i]}" "${R_RPS[i]}" "${R_P50[i]}" "${R_P99[i]}" "${R_NON2XX[i]}" "${R_SOCKERR[i]}" \
    "${R_CPU[i]}" "${R_RCPU[i]}" "${R_RCMD[i]}" "${R_RSS[i]}" "${R_READY[i]}" "${R_STEADY[i]}" "${R_JAVAV[i]}" \
    "${R_WHO[i]}" | tee -a "$RESULTS"
}

# steady_after CURVE STEADY_RPS WARMUP: end of the last warm-up slice whose req/s is more than 10 % off the
# measured value (0: none was), ">WARMUP" when the last slice still was.
steady_after() {
  awk -v c="$1" -v s="$2" -v w="$3" 'BEGIN {
    n = split(c, a, " "); at = 0; last = 0
    for (k = 1; k <= n; k++) {
      split(a[k], f, ":"); d = f[2] - s; if (d < 0) d = -d
      if (d > 0.1 * s) { at = f[1]; last = (k == n) }
    }
    if (n == 0) print "-"; else if (last) printf ">%d\n", w; else printf "%d\n", at }'
}

# measure I URL PID WARMUP WHO: warm-up slices, then the measured run; PID is the process whose CPU is charged.
measure() {
  local i="$1" url="$2" pid="$3" warm="$4" who="$5" name="${S_LABEL[$1]}" safe t0 t1 rt0 rt1
  local done_s=0 len c0 c1 cpu curve="" jfr_file="" uses_redis=0 scripts warning
  safe="$(safe_name "$name")"
  [[ "${S_BASE[i]}" == redis || "${S_BASE[i]}" == scg || "${S_BASE[i]}" == spike-vertx ]] && uses_redis=1
  (( warm > 0 )) && : > "$OUT_DIR/wrk-$safe-warmup.txt"
  while (( done_s < warm )); do
    len=$(( warm - done_s < SLICE ? warm - done_s : SLICE ))
    c0="$(cpu_ticks "$pid")"
    run_wrk "$len" "$url" "$TMP/slice.txt"
    c1="$(cpu_ticks "$pid")"
    done_s=$(( done_s + len ))
    { echo "### warm-up slice ending at ${done_s}s"; cat "$TMP/slice.txt"; } >> "$OUT_DIR/wrk-$safe-warmup.txt"
    parse_wrk "$TMP/slice.txt"
    cpu="$(per_req $(( c1 - c0 )) "$W_REQUESTS")"
    curve+="$done_s:$W_RPS:$cpu "
    echo "  [$name] warm-up ${done_s}/${warm}s: $W_RPS req/s, $cpu us CPU/req" >&2
  done
  if (( JFR )) && [[ "$who" != upstream && -n "${S_JCMD[i]}" ]]; then
    jfr_file="$OUT_DIR/$safe.jfr"
    "${S_JCMD[i]}" "$pid" JFR.start name=bench settings=profile > "$OUT_DIR/jcmd-$safe.log" 2>&1 \
      || { echo "bench: jcmd JFR.start failed, see $OUT_DIR/jcmd-$safe.log" >&2; jfr_file=""; }
  fi
  echo "  [$name] measuring ${DURATION}s: wrk -t$WRK_THREADS -c$CONNECTIONS --latency $url" >&2
  if (( uses_redis )); then rt0="$(cpu_ticks "$REDIS_PID")"; redis_snapshot "$TMP/redis-before"; fi
  t0="$(cpu_ticks "$pid")"
  run_wrk "$DURATION" "$url" "$OUT_DIR/wrk-$safe.txt"
  t1="$(cpu_ticks "$pid")"
  if (( uses_redis )); then rt1="$(cpu_ticks "$REDIS_PID")"; redis_snapshot "$TMP/redis-after"; fi
  if [[ -n "$jfr_file" ]]; then
    "${S_JCMD[i]}" "$pid" JFR.stop name=bench filename="$jfr_file" >> "$OUT_DIR/jcmd-$safe.log" 2>&1 \
      && JFR_FILES+=("$jfr_file") \
      || echo "bench: jcmd JFR.stop failed, see $OUT_DIR/jcmd-$safe.log" >&2
  fi
  R_RSS[i]="$(awk -v k="$(rss_kib "$pid")" 'BEGIN {printf "%.0f", k / 1024}')"
  parse_wrk "$OUT_DIR/wrk-$safe.txt"
  R_RPS[i]="$W_RPS"; R_P50[i]="$W_P50"; R_P99[i]="$W_P99"; R_NON2XX[i]="$W_NON2XX"; R_SOCKERR[i]="$W_SOCKERR"
  R_CPU[i]="$(per_req $(( t1 - t0 )) "$W_REQUESTS")"
  R_RCPU[i]="-"; R_RCMD[i]="-"; R_RBREAK[i]=""
  if (( uses_redis )); then
    R_RCPU[i]="$(per_req $(( rt1 - rt0 )) "$W_REQUESTS")"
    redis_per_req "$TMP/redis-before" "$TMP/redis-after" "$W_REQUESTS" > "$OUT_DIR/redis-$safe.txt"
    R_RCMD[i]="$(awk '$1 == "total" {print $2}' "$OUT_DIR/redis-$safe.txt")"
    R_RCMD[i]="${R_RCMD[i]:--}"
    R_RBREAK[i]="$(awk '$1 != "total" {printf "%s%s %s", (n++ ? ", " : ""), $1, $2}' "$OUT_DIR/redis-$safe.txt")"
    # A limiter that fails open or falls back (store timeout, Redis down) measures no Redis path: say so.
    scripts="$(awk '$1 ~ /^(eval|evalsha|eval_ro|evalsha_ro|fcall|fcall_ro)$/ {n += $2} END {printf "%.2f", n}' \
      "$OUT_DIR/redis-$safe.txt")"
    if [[ -s "$OUT_DIR/redis-$safe.txt" ]] && awk -v n="$scripts" 'BEGIN { exit !(n < 0.9) }'; then
      warning="${name}: only $scripts Redis script calls per request, so most requests did not reach Redis"
      WARNINGS+=("$warning (a store timeout or fallback; see gateway-$safe.log)")
      echo "  [$name] warning: ${WARNINGS[${#WARNINGS[@]} - 1]#"${name}: "}" >&2
    fi
  fi
  R_WHO[i]="$who"
  R_CURVE[i]="$curve"
  R_STEADY[i]="$(steady_after "$curve" "$W_RPS" "$warm")"
  result_line "$i"
}

# ------------------------------------------------------------------ gateway and SCG peer
java_version() { "$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}'; }

GATEWAY_PID=""
start_jvm() { # i: starts the gateway or the SCG peer of scenario i, sets GATEWAY_PID, GATEWAY_URL, R_READY[i]
  local i="$1" base="${S_BASE[$1]}" name="${S_LABEL[$1]}" port log safe jar t0 kv
  local env_args=() opts=() jfr_opt=()
  port="$(free_port)"
  safe="$(safe_name "$name")"
  log="$OUT_DIR/gateway-$safe.log"
  env_args=("PORT=$port" "UPSTREAM_URL=$UPSTREAM_URL" "LOGGING_LEVEL_ROOT=WARN")
  case "$base" in
    scg) jar="$SCG_JAR" ;;
    scg-nolimit) jar="$SCG_JAR"; env_args+=("SPRING_PROFILES_ACTIVE=nolimit") ;;
    *) jar="$GATEWAY_JAR"
       [[ "$base" == spike-vertx ]] && jar="$SPIKE_JAR"
       env_args+=(
         "STATE_STORE=$( [[ "$base" == spike-vertx ]] && echo redis || echo "$base")"
         "RATE_LIMIT_CAPACITY=1000000000"
         "RATE_LIMIT_REFILL_RATE=1000000000"
         "RATE_LIMIT_REFILL_PERIOD_SECONDS=1"
       ) ;;
  esac
  if [[ "$base" == redis || "$base" == scg || "$base" == spike-vertx ]]; then
    start_redis
    env_args+=("REDIS_HOST=127.0.0.1" "REDIS_PORT=$REDIS_PORT")
  fi
  while IFS= read -r kv; do [[ -n "$kv" ]] && env_args+=("$kv"); done <<< "${S_ENV[i]}"
  read -r -a opts <<< "${S_OPTS[i]}"   # split on spaces, no globbing
  if (( JFR )) && [[ -z "${S_JCMD[i]}" ]]; then
    # No jcmd: record from start to exit (includes start-up and warm-up).
    jfr_opt=("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$OUT_DIR/$safe.jfr")
    JFR_FILES+=("$OUT_DIR/$safe.jfr (whole run, jcmd not found)")
  fi
  if [[ "${S_AOT[i]}" == 1 && "$jar" == "$GATEWAY_JAR" ]]; then
    # As the image runs it: the extracted jar and an AOT cache trained by this JVM with these flags.
    local app="$OUT_DIR/app-$safe"
    rm -rf "$app"
    "${S_JAVA[i]}" -Djarmode=tools -jar "$GATEWAY_JAR" extract --destination "$app" >/dev/null \
      || die "scenario '$name': cannot extract $GATEWAY_JAR"
    echo "  [$name] training an AOT cache (deploy/aot-cache.sh, log $OUT_DIR/aot-$safe.log)" >&2
    JAVA="${S_JAVA[i]}" JAVA_OPTS="${S_OPTS[i]}" AOT_TRAIN_PORT="$(free_port)" \
      "$ROOT/deploy/aot-cache.sh" "$app" "$app/app.aot" > "$OUT_DIR/aot-$safe.log" 2>&1 \
      || die "scenario '$name': AOT cache training failed (log $OUT_DIR/aot-$safe.log)"
    jar="$app/api-gateway.jar"
    [[ -s "$app/app.aot" ]] && opts+=("-XX:AOTCache=$app/app.aot")
  fi
  t0="$(now_us)"
  env "${env_args[@]}" "${S_JAVA[i]}" "${opts[@]+"${opts[@]}"}" "${jfr_opt[@]+"${jfr_opt[@]}"}" -jar "$jar" > "$log" 2>&1 &
  GATEWAY_PID=$!
  PIDS+=("$GATEWAY_PID")
  GATEWAY_URL="http://127.0.0.1:$port"
  echo "  [$name] pid $GATEWAY_PID on $GATEWAY_URL, java ${R_JAVAV[i]} (log $log)" >&2
  wait_ready "$GATEWAY_URL$GW_PATH" "$GATEWAY_PID" "$START_TIMEOUT" "$log"
  R_READY[i]="$(awk -v d="$(( $(now_us) - t0 ))" 'BEGIN {printf "%.2f", d / 1e6}')"
  echo "  [$name] first 200 on $GW_PATH ${R_READY[i]}s after launch" >&2
}

stop_gateway() {
  [[ -n "$GATEWAY_PID" ]] || return 0
  stop_pid "$GATEWAY_PID" 30
  forget_pid "$GATEWAY_PID"
  GATEWAY_PID=""
}

# ------------------------------------------------------------------ summary (text and Markdown)
# A table cell of the warm-up curve of every scenario: rows are slice ends, cells "req/s / CPU us per req".
curve_table() { # md(0|1)
  local i
  for i in "${!S_LABEL[@]}"; do printf '%s\t%s\n' "${S_LABEL[i]}" "${R_CURVE[i]}"; done | awk -F'\t' -v md="$1" '
    { label[NR] = $1; n = split($2, a, " ")
      for (k = 1; k <= n; k++) { split(a[k], f, ":"); cell[NR, f[1]] = sprintf("%.0f / %s", f[2], f[3]); t[f[1]] = 1 } }
    END {
      nt = 0; for (x in t) ts[++nt] = x + 0
      for (a1 = 1; a1 <= nt; a1++) for (b = a1 + 1; b <= nt; b++) if (ts[b] < ts[a1]) { x = ts[a1]; ts[a1] = ts[b]; ts[b] = x }
      if (nt == 0) exit
      if (md) {
        h = "| t (s) |"; sep = "|---:|"
        for (r = 1; r <= NR; r++) { h = h " " label[r] " |"; sep = sep "---:|" }
        print h; print sep
        for (k = 1; k <= nt; k++) {
          line = "| " ts[k] " |"
          for (r = 1; r <= NR; r++) line = line " " (((r, ts[k]) in cell) ? cell[r, ts[k]] : "") " |"
          print line }
      } else {
        line = sprintf("%-6s", "t_s"); for (r = 1; r <= NR; r++) line = line sprintf(" %22s", label[r]); print line
        for (k = 1; k <= nt; k++) {
          line = sprintf("%-6s", ts[k])
          for (r = 1; r <= NR; r++) line = line sprintf(" %22s", ((r, ts[k]) in cell) ? cell[r, ts[k]] : "")
          print line }
      }
    }'
}

REF=""   # the scenario the CPU ratios refer to: the first scg one
ratio_of() { # i -> its CPU per request divided by that of scenario $REF
  if [[ -z "$REF" || "${R_CPU[$1]}" == "-" ]]; then echo "-"
  else awk -v a="${R_CPU[$1]}" -v b="${R_CPU[REF]}" 'BEGIN { r = a / b; printf (r < 0.1 ? "%.3f" : "%.2f"), r }'; fi
}
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

summary() {
  local i errs w
  for i in "${!S_LABEL[@]}"; do
    [[ "${S_BASE[i]}" == scg && -z "$REF" && "${R_CPU[i]}" != "-" ]] && REF="$i"
  done
  local ref_label="${REF:+${S_LABEL[REF]}}"
  ref_label="${ref_label:-scg}"
  {
    echo
    if [[ -n "$REF" ]]; then echo "# summary: x_scg = cpu_us/req / that of '${S_LABEL[REF]}'"
    else echo "# summary (no scg scenario ran: no x_scg)"; fi
    printf "%-${LW}s %-8s %11s %7s %10s %9s %9s %8s %8s %8s %10s\n" scenario java cpu_us/req x_scg redis_us \
      redis_cmd p99_ms rss_MiB ready_s steady_s "req/s"
    for i in "${!S_LABEL[@]}"; do
      printf "%-${LW}s %-8s %11s %7s %10s %9s %9s %8s %8s %8s %10s\n" "${S_LABEL[i]}" "${R_JAVAV[i]}" "${R_CPU[i]}" \
        "$(ratio_of "$i")" "${R_RCPU[i]}" "${R_RCMD[i]}" "$(ms "${R_P99[i]}")" "${R_RSS[i]}" "${R_READY[i]}" \
        "${R_STEADY[i]}" "${R_RPS[i]}"
    done
    for i in "${!S_LABEL[@]}"; do
      [[ -n "${R_RBREAK[i]:-}" ]] && echo "# redis calls/req of ${S_LABEL[i]}: ${R_RBREAK[i]}"
    done
    if (( WARMUP > 0 )); then
      echo
      echo "# warm-up curve: req/s / CPU us per request of each ${SLICE}s slice (t = end of the slice)"
      curve_table 0
    fi
    echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
    for w in "${WARNINGS[@]+"${WARNINGS[@]}"}"; do echo "# WARNING $w"; done
  } | tee -a "$RESULTS"

  {
    echo "# Bench $RUN_DATE"
    echo
    echo "$(nproc) CPUs, load $RUN_LOAD at the start and $(cut -d' ' -f1-3 /proc/loadavg) at the end;" \
         "upstream $UPSTREAM_DESC; wrk -t$WRK_THREADS -c$CONNECTIONS on \`$GW_PATH\` (one key)," \
         "warm-up ${WARMUP} s in ${SLICE} s slices, measured ${DURATION} s."
    (( NEED_SCG )) && echo "SCG peer: ${SCG_LIBS:-bench/scg}."
    echo
    echo "| scenario | JVM | CPU µs/req | × $ref_label | Redis µs/req | Redis cmds/req |" \
         "p50 ms | p99 ms | RSS MiB | ready s | steady after s | req/s | errors | CPU of |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    for i in "${!S_LABEL[@]}"; do
      errs=$(( R_NON2XX[i] + R_SOCKERR[i] ))
      echo "| ${S_LABEL[i]} | ${R_JAVAV[i]} | ${R_CPU[i]} | $(ratio_of "$i") | ${R_RCPU[i]} | ${R_RCMD[i]} |" \
           "$(ms "${R_P50[i]}") | $(ms "${R_P99[i]}") |" \
           "${R_RSS[i]} | ${R_READY[i]} | ${R_STEADY[i]} | ${R_RPS[i]} | $errs | ${R_WHO[i]} |"
    done
    for w in "${WARNINGS[@]+"${WARNINGS[@]}"}"; do echo; echo "**Warning** $w."; done
    if (( WARMUP > 0 )); then
      echo
      echo "Warm-up (req/s / CPU µs per request of each ${SLICE} s slice; t = end of the slice):"
      echo
      curve_table 1
    fi
    echo
    echo "Scenarios:"
    echo
    for i in "${!S_LABEL[@]}"; do
      echo "- $(scenario_desc "$i")${R_RBREAK[i]:+; Redis calls per request: ${R_RBREAK[i]}}"
    done
  } > "$RESULTS_MD"
}

scenario_desc() { # i -> one line: label, base, JVM, options, env
  local i="$1" env
  env="$(tr '\n' ' ' <<< "${S_ENV[i]}" | sed 's/ *$//')"
  if [[ "${S_BASE[i]}" == direct ]]; then
    echo "\`${S_LABEL[i]}\`: direct (wrk at the upstream)"
  else
    echo "\`${S_LABEL[i]}\`: ${S_BASE[i]}, java ${R_JAVAV[i]} (${S_JAVA[i]}), JAVA_OPTS='${S_OPTS[i]}'$( [[ "${S_AOT[i]}" == 1 ]] && echo ', extracted jar + AOT cache')${env:+, env: $env}"
  fi
}

# ------------------------------------------------------------------ run
JFR_FILES=()
WARNINGS=()
for i in "${!S_LABEL[@]}"; do
  R_JAVAV[i]="-"
  [[ "${S_BASE[i]}" != direct ]] && R_JAVAV[i]="$(java_version "${S_JAVA[i]}")"
done
RUN_DATE="$(date -u +%FT%TZ)"
RUN_LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
{
  echo "# $RUN_DATE  $(nproc) CPUs  load: $RUN_LOAD"
  echo "# upstream: $UPSTREAM_DESC at $UPSTREAM_URL"
  (( NEED_GATEWAY )) && echo "# gateway: $GATEWAY_JAR"
  (( NEED_SCG )) && echo "# scg peer: $SCG_JAR (${SCG_LIBS:-versions unknown})"
  (( NEED_SPIKE )) && echo "# vert.x spike: $SPIKE_JAR"
  for i in "${!S_LABEL[@]}"; do echo "#   $(scenario_desc "$i" | tr -d '`')"; done
  echo "# wrk: -t$WRK_THREADS -c$CONNECTIONS, warm-up ${WARMUP}s in ${SLICE}s slices (direct: $(( WARMUP < 10 ? WARMUP : 10 ))s)," \
       "measured ${DURATION}s; latencies in microseconds"
} | tee "$RESULTS"
header_line

for i in "${!S_LABEL[@]}"; do
  case "${S_BASE[i]}" in
    direct)
      R_READY[i]="-"
      measure "$i" "$UPSTREAM_URL$UPSTREAM_OK_PATH" "$UPSTREAM_PID" $(( WARMUP < 10 ? WARMUP : 10 )) upstream
      ;;
    scg|scg-nolimit)
      start_jvm "$i"
      measure "$i" "$GATEWAY_URL$GW_PATH" "$GATEWAY_PID" "$WARMUP" scg
      stop_gateway
      ;;
    spike-vertx)
      start_jvm "$i"
      measure "$i" "$GATEWAY_URL$GW_PATH" "$GATEWAY_PID" "$WARMUP" spike
      stop_gateway
      ;;
    *)
      start_jvm "$i"
      measure "$i" "$GATEWAY_URL$GW_PATH" "$GATEWAY_PID" "$WARMUP" gateway
      stop_gateway
      ;;
  esac
done

summary
echo "# files: $OUT_DIR (results.txt, results.md)" | tee -a "$RESULTS"
if (( ${#JFR_FILES[@]} > 0 )); then
  echo "# JFR recordings (measured run only unless noted):" | tee -a "$RESULTS"
  for f in "${JFR_FILES[@]}"; do echo "#   $f" | tee -a "$RESULTS"; done
  echo "# inspect: bench/profile.sh FILE (hottest methods); jfr summary FILE; jfr print --events jdk.ExecutionSample FILE;" \
       "or open it in JDK Mission Control" | tee -a "$RESULTS"
fi
