#!/usr/bin/env bash
# Gateway overhead: wrk straight at a fast fake upstream ("direct") versus wrk through switchyard
# ("gw"), with the request log off and on, non-streaming and streaming, at several concurrencies.
#
#   bench/overhead/run.sh [BUILD_DIR]        (default: build-bench, RelWithDebInfo)
#
# Environment knobs:
#   DURATION=5          seconds per wrk run
#   CONNS="1 16 64 256" wrk connections
#   SETUPS="pinned unpinned"
#       pinned:   wrk -t1 on CPU 0; upstream and gateway (server.threads 1) on CPU 1.
#       unpinned: nothing pinned, wrk -t1, gateway server.threads 1; the scheduler decides.
#   MODES="json stream" json = non-streaming; stream = "stream":true (CHUNKS SSE events + usage + [DONE])
#   CHUNKS=20           content chunks per stream
#   GW_THREADS=1        gateway I/O threads
#   LATENCY_US=0        the fake upstream holds each non-streaming answer this long (service time,
#                       no CPU); 0 = answer at once (the worst case for the gateway's ratio)
#   WRK_THREADS=1
# For each (setup, mode, conns) the three runs direct / gw log off / gw log on are taken back to
# back so they see the same background load; ratios are only compared within one row.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${1:-$ROOT/build-bench}"
DURATION="${DURATION:-5}"
CONNS="${CONNS:-1 16 64 256}"
SETUPS="${SETUPS:-pinned unpinned}"
MODES="${MODES:-json stream}"
CHUNKS="${CHUNKS:-20}"
GW_THREADS="${GW_THREADS:-1}"
WRK_THREADS="${WRK_THREADS:-1}"
LATENCY_US="${LATENCY_US:-0}"
UP_PORT="${UP_PORT:-19310}"
GW_OFF_PORT="${GW_OFF_PORT:-19311}"
GW_ON_PORT="${GW_ON_PORT:-19312}"

command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# shellcheck source=bench/overhead/lib.sh
. "$HERE/lib.sh"
ensure_built "$BUILD" switchyard fast_upstream
make_workdir overhead

wait_port() {  # wait until something accepts on 127.0.0.1:$1
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listening on port $1" >&2
  return 1
}

write_gw_config "$WORK/log-off.yaml" "$UP_PORT" "$GW_THREADS" "{enabled: false}"
write_gw_config "$WORK/log-on.yaml" "$UP_PORT" "$GW_THREADS" "{sqlite_path: \"$WORK/log.db\"}"

SERVER_PIN=()
WRK_PIN=()
start_servers() {  # $1 setup
  if [ "$1" = pinned ]; then SERVER_PIN=(taskset -c 1); WRK_PIN=(taskset -c 0); else SERVER_PIN=(); WRK_PIN=(); fi
  "${SERVER_PIN[@]}" "$BUILD/bench/overhead/fast_upstream" --listen "127.0.0.1:$UP_PORT" --chunks "$CHUNKS" \
    --latency-us "$LATENCY_US" \
    2>"$WORK/upstream.err" &
  PIDS+=($!)
  "${SERVER_PIN[@]}" "$BUILD/src/switchyard" serve -c "$WORK/log-off.yaml" --listen "127.0.0.1:$GW_OFF_PORT" \
    >"$WORK/gw-off.out" 2>&1 &
  PIDS+=($!)
  "${SERVER_PIN[@]}" "$BUILD/src/switchyard" serve -c "$WORK/log-on.yaml" --listen "127.0.0.1:$GW_ON_PORT" \
    >"$WORK/gw-on.out" 2>&1 &
  PIDS+=($!)
  wait_port "$UP_PORT"; wait_port "$GW_OFF_PORT"; wait_port "$GW_ON_PORT"
}
stop_servers() {
  stop_pids
  rm -f "$WORK"/log.db*
}

# One wrk run; prints "rps p50_us p99_us non2xx socket_errors".
measure() {  # $1 port, $2 conns, $3 stream(0/1)
  local out threads=$WRK_THREADS
  [ "$2" -lt "$threads" ] && threads=$2
  out="$(STREAM=$3 "${WRK_PIN[@]}" wrk -t"$threads" -c"$2" -d"${DURATION}s" --latency -s "$HERE/post.lua" \
    "http://127.0.0.1:$1" 2>&1)"
  echo "$out" >>"$WORK/wrk.log"
  echo "$out" | awk '
    function us(v) {
      if (v ~ /us$/) return v + 0;
      if (v ~ /ms$/) return v * 1000;
      if (v ~ /m$/)  return v * 60e6;
      if (v ~ /s$/)  return v * 1e6;
      return v + 0 }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50.000%" || ($1 == "50%" && p50 == "") { p50 = us($2) }
    $1 == "99.000%" || ($1 == "99%" && p99 == "") { p99 = us($2) }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { gsub(",", ""); serr = $4 + $6 + $8 + $10 }
    END { printf "%s %s %s %d %d\n", rps, p50, p99, bad, serr }'
}

# Sanity: each path answers a real completion and a real stream before anything is timed.
check_paths() {
  local port
  for port in "$UP_PORT" "$GW_OFF_PORT"; do
    local body='{"model":"m","messages":[{"role":"user","content":"hi"}]}'
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
      "${#body}" "$body" >&3
    local reply; reply="$(timeout 5 cat <&3 || true)"; exec 3<&-
    if ! grep -q '"chat.completion"' <<<"$reply" || ! grep -q '^HTTP/1.1 200' <<<"$reply"; then
      echo "sanity check failed on port $port:" >&2; echo "$reply" >&2; exit 1
    fi
  done
}

printf '%s\n' "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "wrk ${DURATION}s per run, wrk threads $WRK_THREADS, gateway threads $GW_THREADS, stream chunks $CHUNKS, upstream latency ${LATENCY_US} µs (json)"
echo
echo "| setup | mode | conns | req/s direct | req/s gw | gw/direct | p50 direct µs | p99 direct µs | p50 gw µs | p99 gw µs | added p50 µs | req/s gw+log | log cost | errors |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for setup in $SETUPS; do
  start_servers "$setup"
  check_paths
  for mode in $MODES; do
    stream=0; [ "$mode" = stream ] && stream=1
    for c in $CONNS; do
      read -r d_rps d_p50 d_p99 d_bad d_serr <<<"$(measure "$UP_PORT" "$c" "$stream")"
      read -r g_rps g_p50 g_p99 g_bad g_serr <<<"$(measure "$GW_OFF_PORT" "$c" "$stream")"
      read -r l_rps _l_p50 _l_p99 l_bad l_serr <<<"$(measure "$GW_ON_PORT" "$c" "$stream")"
      awk -v s="$setup" -v m="$mode" -v c="$c" -v dr="$d_rps" -v d50="$d_p50" -v d99="$d_p99" \
          -v gr="$g_rps" -v g50="$g_p50" -v g99="$g_p99" -v lr="$l_rps" \
          -v err="$((d_bad + g_bad + l_bad))/$((d_serr + g_serr + l_serr))" 'BEGIN {
        printf "| %s | %s | %d | %.0f | %.0f | %.1f%% | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %+.1f%% | %s |\n",
          s, m, c, dr, gr, 100 * gr / dr, d50, d99, g50, g99, g50 - d50, lr, 100 * (gr - lr) / gr, err }'
    done
  done
  stop_servers
done
echo
echo "errors = non-2xx responses / socket errors summed over the row's three runs (must be 0/0)."
echo "log cost = throughput lost with the request log on, relative to the gateway with it off."
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
