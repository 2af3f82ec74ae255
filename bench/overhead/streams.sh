#!/usr/bin/env bash
# Many concurrent open streams through the gateway, and the gateway's peak memory meanwhile.
#
#   bench/overhead/streams.sh [BUILD_DIR]     (default: build-bench, RelWithDebInfo)
#
# The fake upstream keeps every stream open (CHUNKS events, DELAY_MS apart: ~30 s by default), so
# all STREAMS streams are open through the gateway at the same time; stream_client reports how many
# were open at once, samples the gateway's VmRSS every 20 ms and reads its VmHWM (peak RSS) at the end.
# Environment: STREAMS=5000 CHUNKS=30 DELAY_MS=1000 GW_THREADS=1 LOGS="off on"
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${1:-$ROOT/build-bench}"
STREAMS="${STREAMS:-5000}"
CHUNKS="${CHUNKS:-30}"
DELAY_MS="${DELAY_MS:-1000}"
GW_THREADS="${GW_THREADS:-1}"
LOGS="${LOGS:-off on}"
UP_PORT="${UP_PORT:-19320}"
GW_PORT="${GW_PORT:-19321}"

# Each stream costs the gateway two sockets (client side + upstream side).
need=$((2 * STREAMS + 1024))
ulimit -n "$need" 2>/dev/null || { echo "cannot raise ulimit -n to $need (hard limit $(ulimit -Hn))" >&2; exit 1; }

# shellcheck source=bench/overhead/lib.sh
. "$HERE/lib.sh"
ensure_built "$BUILD" switchyard fast_upstream stream_client
make_workdir streams

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listening on port $1" >&2
  return 1
}

"$BUILD/bench/overhead/fast_upstream" --listen "127.0.0.1:$UP_PORT" --chunks "$CHUNKS" \
  --chunk-delay-ms "$DELAY_MS" 2>"$WORK/upstream.err" &
PIDS+=($!)
wait_port "$UP_PORT"

echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $STREAMS streams, $CHUNKS chunks ${DELAY_MS} ms apart, gateway threads $GW_THREADS"
echo
echo "| request log | streams | completed | failed | open at once | gateway RSS idle MB | peak RSS (VmHWM) MB | seconds |"
echo "|---|---|---|---|---|---|---|---|"
for log in $LOGS; do
  if [ "$log" = on ]; then logyaml="{sqlite_path: \"$WORK/log.db\"}"; else logyaml="{enabled: false}"; fi
  write_gw_config "$WORK/gw.yaml" "$UP_PORT" "$GW_THREADS" "$logyaml"
  "$BUILD/src/switchyard" serve -c "$WORK/gw.yaml" --listen "127.0.0.1:$GW_PORT" >"$WORK/gw-$log.out" 2>&1 &
  gw=$!
  PIDS+=($gw)
  wait_port "$GW_PORT"
  idle_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$gw/status")
  set +e
  out="$("$BUILD/bench/overhead/stream_client" --target "127.0.0.1:$GW_PORT" --streams "$STREAMS" --pid "$gw")"
  set -e
  echo "$out" >>"$WORK/client.log"
  kill -TERM "$gw"; wait "$gw" 2>/dev/null || true
  PIDS=("${PIDS[@]/$gw}")
  rm -f "$WORK"/log.db*
  awk -v lg="$log" -v idle="$idle_kb" '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "| %s | %s | %s | %s | %s | %.1f | %s | %s |\n", lg, v["streams"], v["completed"], v["failed"],
      v["max_open_at_once"], idle / 1024, v["target_vmhwm_mb"], v["seconds"] }' <<<"$out"
done
