#!/usr/bin/env bash
# Encoder engine vs. PyTorch (tests/engine/reference.py in bench mode) on the same random-weight
# models, in the same run. Prints a markdown table (also written to $OUT_DIR/table.md).
#   bench/encoder/run.sh [BUILD_DIR]      (env: SECONDS_PER_RUN=3, THREADS=2, INT8=1 adds int8 rows:
#   ours with --int8 and PyTorch's own dynamic int8, reference.py --bench --int8)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build-bench}"
SECS="${SECONDS_PER_RUN:-3}"
THREADS="${THREADS:-2}"
PY=/usr/bin/python3
FIX="$ROOT/../shared/fixtures/hf"
OUT_DIR="${OUT_DIR:-$BUILD/bench-encoder}"
mkdir -p "$OUT_DIR"

$PY -c "import torch, numpy" 2>/dev/null || { echo "needs /usr/bin/python3 with torch+numpy: run scripts/install-deps.sh" >&2; exit 1; }
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHYARD_BENCH=ON -DSWITCHYARD_TESTS=OFF >/dev/null
fi
ninja -C "$BUILD" -j2 encoder_bench >/dev/null
BENCH="$(find "$BUILD" -name encoder_bench -type f -perm -u+x | head -1)"

# MiniLM-L6 shape (from the real config) and BERT-base shape (768 hidden, 12 layers, 12 heads).
$PY "$ROOT/tools/gen_random_model.py" --arch bert --config-from "$FIX/sentence-transformers--all-MiniLM-L6-v2/config.json" \
    --normalize --out "$OUT_DIR/minilm-l6" --fixtures "$FIX" >/dev/null
$PY "$ROOT/tools/gen_random_model.py" --arch bert --hidden 768 --layers 12 --heads 12 --intermediate 3072 \
    --out "$OUT_DIR/bert-base" --fixtures "$FIX" >/dev/null

RESULTS="$OUT_DIR/results.jsonl"
: > "$RESULTS"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
for model in minilm-l6 bert-base; do
  for batch in 1 32; do
    for seq in 16 128; do
      ours=$("$BENCH" --model "$OUT_DIR/$model" --batch $batch --seq $seq --threads "$THREADS" --seconds "$SECS")
      echo "{\"model\":\"$model\",\"r\":$ours}" >> "$RESULTS"
      if [ "${INT8:-0}" = 1 ]; then
        q=$("$BENCH" --model "$OUT_DIR/$model" --batch $batch --seq $seq --threads "$THREADS" --seconds "$SECS" --int8)
        echo "{\"model\":\"$model\",\"r\":$q}" >> "$RESULTS"
      fi
      pt=$($PY "$ROOT/tests/engine/reference.py" --bench --model "$OUT_DIR/$model" --batch $batch --seq $seq \
           --threads "$THREADS" --seconds "$SECS")
      echo "{\"model\":\"$model\",\"r\":$pt}" >> "$RESULTS"
      if [ "${INT8:-0}" = 1 ]; then
        pq=$($PY "$ROOT/tests/engine/reference.py" --bench --model "$OUT_DIR/$model" --batch $batch --seq $seq \
             --threads "$THREADS" --seconds "$SECS" --int8)
        echo "{\"model\":\"$model\",\"r\":$pq}" >> "$RESULTS"
      fi
    done
  done
done

LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
$PY - "$RESULTS" "$OUT_DIR/table.md" "$LOAD_START" "$LOAD_END" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault((r["model"], r["r"]["batch"], r["r"]["seq"]), {})[r["r"]["impl"]] = r["r"]
out = ["| model | batch | seq | impl | seq/s | tokens/s | p50 ms | peak RSS MB | vs PyTorch | vs PyTorch int8 |",
       "|---|---|---|---|---|---|---|---|---|---|"]
blas = ""
for (model, b, s), impls in by.items():
    pt, pq = impls.get("pytorch"), impls.get("pytorch-int8")
    blas = pt.get("blas", "") if pt else blas
    for name in ("ours", "ours-int8", "pytorch", "pytorch-int8"):
        r = impls.get(name)
        if not r:
            continue
        ratio = f"{r['seq_per_s'] / pt['seq_per_s']:.2f}x" if pt and name != "pytorch" else ""
        ratio_q = f"{r['seq_per_s'] / pq['seq_per_s']:.2f}x" if pq and name == "ours-int8" else ""
        out.append(f"| {model} | {b} | {s} | {name} | {r['seq_per_s']:.2f} | {r['tokens_per_s']:.0f} | "
                   f"{r['p50_ms']:.2f} | {r['peak_rss_mb']:.0f} | {ratio} | {ratio_q} |")
w = next((r["r"] for r in rows if r["r"]["impl"] == "ours"), None)
out.append("")
if w:
    out.append(f"threads: {w['threads']} (ours), torch.set_num_threads({w['threads']}); PyTorch BLAS: {blas}")
weights = {r["model"] + (" int8" if r["r"]["impl"] == "ours-int8" else ""): r["r"]["weights_mb"]
           for r in rows if "weights_mb" in r["r"]}
out.append("our weights MB: " + ", ".join(f"{k} {v:.0f}" for k, v in weights.items()))
out.append(f"load average (1/5/15 min) at start: {sys.argv[3]}; at end: {sys.argv[4]}")
text = "\n".join(out)
print(text)
open(sys.argv[2], "w").write(text + "\n")
PYEOF
