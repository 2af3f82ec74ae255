#!/usr/bin/env bash
# Ours against PyTorch on a few rows, alternated: one short run of each side per round, ROUNDS
# rounds. This machine is a shared VM whose speed changes by tens of percent from one minute to
# the next (other tenants, invisible in its load average), so one run.sh pass decides nothing
# about a ratio near a target; this prints every round's ratio and two summaries:
#   median ratio  — median of the per-round seq/s ratios (both sides ran within seconds)
#   best ratio    — PyTorch's fastest forward over ours' fastest forward, over all rounds: what
#                   each side does when the host leaves it alone, the closest to a quiet machine
#   bench/encoder/pairs.sh [BUILD_DIR] [ROUNDS]
#   env: ROWS="model:batch:seq:precision ..." (default: the three target rows nearest their line),
#        SECONDS_PER_RUN=3, THREADS=2. Models are run.sh's (run it once first).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build-bench}"
ROUNDS="${2:-5}"
SECS="${SECONDS_PER_RUN:-3}"
THREADS="${THREADS:-2}"
ROWS="${ROWS:-bert-base:32:128:int8 minilm-l6:32:128:int8 bert-base:1:128:fp32}"
PY=/usr/bin/python3
OUT_DIR="${OUT_DIR:-$BUILD/bench-encoder}"
BENCH="$(find "$BUILD" -name encoder_bench -type f -perm -u+x | head -1)"
[ -x "$BENCH" ] || { echo "no encoder_bench under $BUILD: run bench/encoder/run.sh first" >&2; exit 1; }
LOG="$OUT_DIR/pairs.jsonl"
: > "$LOG"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq "$ROUNDS"); do
  for row in $ROWS; do
    IFS=: read -r model batch seq prec <<< "$row"
    [ -d "$OUT_DIR/$model" ] || { echo "no model $OUT_DIR/$model: run bench/encoder/run.sh first" >&2; exit 1; }
    q=()
    [ "$prec" = int8 ] && q=(--int8)
    args=(--model "$OUT_DIR/$model" --batch "$batch" --seq "$seq" --threads "$THREADS" --seconds "$SECS" "${q[@]}")
    ours=$("$BENCH" "${args[@]}")
    pt=$($PY "$ROOT/tests/engine/reference.py" --bench "${args[@]}")
    echo "{\"row\":\"$row\",\"round\":$round,\"ours\":$ours,\"pytorch\":$pt}" >> "$LOG"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
$PY - "$LOG" "$ROWS" <<'PY'
import json, statistics, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print("| row | rounds | ours seq/s (median) | PyTorch seq/s (median) | per-round ratios | median ratio | best ratio |")
print("|---|---|---|---|---|---|---|")
for row in sys.argv[2].split():
    rs = [r for r in recs if r["row"] == row]
    if not rs:
        continue
    ratios = [r["ours"]["seq_per_s"] / r["pytorch"]["seq_per_s"] for r in rs]
    best = min(r["pytorch"]["min_ms"] for r in rs) / min(r["ours"]["min_ms"] for r in rs)
    model, batch, seq, prec = row.split(":")
    print(f"| {model} {prec} {batch} × {seq} | {len(rs)} | {statistics.median(r['ours']['seq_per_s'] for r in rs):.2f} "
          f"| {statistics.median(r['pytorch']['seq_per_s'] for r in rs):.2f} "
          f"| {', '.join(f'{x:.2f}' for x in ratios)} | {statistics.median(ratios):.2f}x | {best:.2f}x |")
PY
