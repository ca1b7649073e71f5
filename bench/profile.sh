#!/usr/bin/env bash
# Summarise the CPU samples of a JFR recording (e.g. one written by bench/run.sh --jfr):
# the hottest methods by self time (top of stack) and by total time (anywhere on the stack).
# Usage: bench/profile.sh FILE.jfr [TOP_N] [STACK_DEPTH]
set -euo pipefail

[[ $# -ge 1 && -f "$1" ]] || { echo "usage: bench/profile.sh FILE.jfr [TOP_N=25] [STACK_DEPTH=64]" >&2; exit 1; }
FILE="$1"
TOP="${2:-25}"
DEPTH="${3:-64}"
command -v jfr >/dev/null 2>&1 || { echo "profile: the 'jfr' tool (in every JDK's bin/) is not on PATH" >&2; exit 2; }

TMP="$(mktemp "${TMPDIR:-/tmp}/jfr-samples.XXXXXX")"
trap 'rm -f "$TMP"' EXIT
timeout 300 jfr print --stack-depth "$DEPTH" --events jdk.ExecutionSample "$FILE" > "$TMP"

# Frames look like "    pkg.Class.method(Args) line: 42"; keep "pkg.Class.method".
# Plain POSIX awk (Debian's default is mawk), sorting done by sort(1).
awk '
  function method(line) { sub(/^[ \t]+/, "", line); sub(/\(.*$/, "", line); return line }
  /stackTrace = \[/ { in_stack = 1; first = 1; split("", seen); samples++; next }
  in_stack && /^[ \t]*\]/ { in_stack = 0; next }
  in_stack && /^[ \t]*\.\.\./ { next }
  in_stack {
    m = method($0)
    if (first) { self[m]++; first = 0 }
    if (!(m in seen)) { total[m]++; seen[m] = 1 }
  }
  END {
    print "N", samples
    for (m in self) printf "S %d %s\n", self[m], m
    for (m in total) printf "T %d %s\n", total[m], m
  }' "$TMP" > "$TMP.agg"
trap 'rm -f "$TMP" "$TMP.agg"' EXIT

SAMPLES="$(awk '$1 == "N" {print $2 + 0}' "$TMP.agg")"
if [[ "$SAMPLES" -eq 0 ]]; then
  echo "no jdk.ExecutionSample events in $FILE (was it recorded with settings=profile or default?)"
  exit 0
fi
echo "$FILE: $SAMPLES CPU samples (jdk.ExecutionSample, Java code only)"
echo
echo " self %  method (top of stack)"
awk '$1 == "S"' "$TMP.agg" | sort -k2,2nr \
  | awk -v n="$SAMPLES" -v top="$TOP" 'NR <= top { printf "%6.1f  %s\n", 100 * $2 / n, $3 }'
echo
echo "total %  method (anywhere on the stack, up to $DEPTH frames deep)"
awk '$1 == "T"' "$TMP.agg" | sort -k2,2nr \
  | awk -v n="$SAMPLES" -v top="$TOP" 'NR <= top { printf "%6.1f  %s\n", 100 * $2 / n, $3 }'
