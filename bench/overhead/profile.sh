#!/usr/bin/env bash
# Where the gateway's CPU goes under load: perf (software cpu-clock sampling, works without
# hardware counters and with perf_event_paranoid=2 for our own processes) on switchyard while wrk
# drives it through the fast upstream. Pinned like run.sh: wrk on CPU 0, servers on CPU 1.
#
#   bench/overhead/profile.sh [BUILD_DIR]
# Environment: MODE=json|stream  LOG=off|on  CONNS=64  SECONDS_=8  CALLGRAPH=0|1 (dwarf unwinding)
# Prints the top self-time symbols and the split user / kernel (syscalls, TCP) / libraries.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${1:-$ROOT/build-bench}"
MODE="${MODE:-json}"
LOG="${LOG:-off}"
CONNS="${CONNS:-64}"
SECS="${SECONDS_:-8}"
CALLGRAPH="${CALLGRAPH:-0}"
UP_PORT="${UP_PORT:-19330}"
GW_PORT="${GW_PORT:-19331}"
command -v perf >/dev/null || { echo "perf not found" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || true

# shellcheck source=bench/overhead/lib.sh
. "$HERE/lib.sh"
ensure_built "$BUILD" switchyard fast_upstream
make_workdir profile

if [ "$LOG" = on ]; then logyaml="{sqlite_path: \"$WORK/log.db\"}"; else logyaml="{enabled: false}"; fi
write_gw_config "$WORK/gw.yaml" "$UP_PORT" 1 "$logyaml"
taskset -c 1 "$BUILD/bench/overhead/fast_upstream" --listen "127.0.0.1:$UP_PORT" 2>/dev/null &
PIDS+=($!)
taskset -c 1 "$BUILD/src/switchyard" serve -c "$WORK/gw.yaml" --listen "127.0.0.1:$GW_PORT" >"$WORK/gw.out" 2>&1 &
gw=$!
PIDS+=($gw)
sleep 1

stream=0; [ "$MODE" = stream ] && stream=1
STREAM=$stream taskset -c 0 wrk -t1 -c"$CONNS" -d"$((SECS + 2))s" -s "$HERE/post.lua" "http://127.0.0.1:$GW_PORT" \
  >"$WORK/wrk.out" 2>&1 &
wrk_pid=$!
sleep 1
cg=()
[ "$CALLGRAPH" = 1 ] && cg=(--call-graph dwarf,16384)
perf record -q -e cpu-clock -F 2000 "${cg[@]}" -p "$gw" -o "$WORK/perf.data" -- sleep "$SECS" 2>/dev/null
wait "$wrk_pid"
[ -n "${PERF_OUT:-}" ] && cp "$WORK/perf.data" "$PERF_OUT"
grep -E 'Requests/sec' "$WORK/wrk.out"

echo "== self time by shared object"
perf report -i "$WORK/perf.data" --stdio --no-children --sort dso 2>/dev/null | grep -E '^ +[0-9]' | head -12
echo "== top symbols (self)"
perf report -i "$WORK/perf.data" --stdio --no-children --sort dso,sym 2>/dev/null | grep -E '^ +[0-9]' | head -"${TOP:-45}"
if [ "$CALLGRAPH" = 1 ]; then
  echo "== inclusive (children) for switchyard symbols"
  perf report -i "$WORK/perf.data" --stdio --children --sort sym -g none 2>/dev/null | grep -E '^ +[0-9]' | head -"${TOP:-60}"
fi
