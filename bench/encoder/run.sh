#!/usr/bin/env bash
# Encoder engine vs. PyTorch (tests/engine/reference.py in bench mode) on the same random-weight
# models, in the same run. Prints a markdown table (also written to $OUT_DIR/table.md).
#   bench/encoder/run.sh [BUILD_DIR]      (env: SECONDS_PER_RUN=3, THREADS=2, INT8=1 adds int8 rows:
#   ours with --int8 and PyTorch's own dynamic int8, reference.py --bench --int8; GEMM=0 skips the
#   ceiling table)
# Every row also gets the model FLOP rate it achieved (2 × multiply-adds of the Linear layers and
# of attention's QKᵀ and PV, per second), and a second table gives the ceiling to read it
# against: gemm_bench's register-only FMA/VNNI peak and OpenBLAS sgemm / our kernels at the
# layers' shapes on the same threads.
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
ninja -C "$BUILD" -j2 encoder_bench gemm_bench >/dev/null
BENCH="$(find "$BUILD" -name encoder_bench -type f -perm -u+x | head -1)"
GEMM_BENCH="$(find "$BUILD" -name gemm_bench -type f -perm -u+x | head -1)"

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

GEMMS="$OUT_DIR/gemm.jsonl"
: > "$GEMMS"
if [ "${GEMM:-1}" = 1 ]; then
  for model in minilm-l6 bert-base; do
    dims=$($PY -c "import json,sys; c=json.load(open(sys.argv[1])); print(c['hidden_size'], c['intermediate_size'])" \
           "$OUT_DIR/$model/config.json")
    read -r hidden inter <<< "$dims"
    for m in 128 1024; do  # batch 1 × 128; the 1024-token sub-batches of batch 32 × 128
      "$GEMM_BENCH" --hidden "$hidden" --intermediate "$inter" --tokens $m --threads "$THREADS" --seconds 1 |
        while read -r l; do echo "{\"model\":\"$model\",\"r\":$l}"; done >> "$GEMMS"
    done
  done
fi

LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
$PY - "$RESULTS" "$OUT_DIR/table.md" "$LOAD_START" "$LOAD_END" "$GEMMS" "$OUT_DIR" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cfgs = {}
def flops_per_seq(model, seq):
    """2 × multiply-adds of one sequence: Linear layers (QKV, out, FFN in/out) + QKᵀ and PV."""
    if model not in cfgs:
        cfgs[model] = json.load(open(f"{sys.argv[6]}/{model}/config.json"))
    c = cfgs[model]
    h, i, n = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"]
    return 2 * n * (seq * (4 * h * h + 2 * h * i) + 2 * seq * seq * h)
by = {}
for r in rows:
    by.setdefault((r["model"], r["r"]["batch"], r["r"]["seq"]), {})[r["r"]["impl"]] = r["r"]
out = ["| model | batch | seq | impl | seq/s | tokens/s | p50 ms | GFLOP/s | peak RSS MB | vs PyTorch | vs PyTorch int8 |",
       "|---|---|---|---|---|---|---|---|---|---|---|"]
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
        gflops = r["seq_per_s"] * flops_per_seq(model, s) / 1e9
        out.append(f"| {model} | {b} | {s} | {name} | {r['seq_per_s']:.2f} | {r['tokens_per_s']:.0f} | "
                   f"{r['p50_ms']:.2f} | {gflops:.1f} | {r['peak_rss_mb']:.0f} | {ratio} | {ratio_q} |")
w = next((r["r"] for r in rows if r["r"]["impl"] == "ours"), None)
out.append("")
if w:
    out.append(f"threads: {w['threads']} (ours), torch.set_num_threads({w['threads']}); PyTorch BLAS: {blas}")
weights = {r["model"] + (" int8" if r["r"]["impl"] == "ours-int8" else ""): r["r"]["weights_mb"]
           for r in rows if "weights_mb" in r["r"]}
out.append("our weights MB: " + ", ".join(f"{k} {v:.0f}" for k, v in weights.items()))
out.append("GFLOP/s: the model's FLOPs (2 × multiply-adds of the Linear layers and of QKᵀ/PV) per second; "
           "for int8 rows the same count (multiply-adds done in int8 counted as two ops)")
gem = [json.loads(l) for l in open(sys.argv[5])]
if gem:
    out += ["", "GEMM ceiling (gemm_bench: best of many short runs; M = rows per GEMM call):", "",
            "| model | what | M (rows) | sgemm GFLOP/s | ours fp32 GFLOP/s | ours int8 GOP/s |", "|---|---|---|---|---|---|"]
    seen_peak = set()
    for g in gem:
        r = g["r"]
        if r["what"].startswith("peak"):
            if r["what"] in seen_peak:
                continue  # measured by every gemm_bench call; the first one is shown
            seen_peak.add(r["what"])
        if r["what"] == "peak-fp32":
            out.append(f"| any | FMA peak, {r['threads']} threads |  | {r['gflops']:.0f} |  |  |")
        elif r["what"] == "peak-int8":
            out.append(f"| any | VNNI peak, {r['threads']} threads |  |  |  | {2 * r['gmacs']:.0f} |")
        else:
            what = r.get("shape", "one layer (4 GEMMs)")
            out.append(f"| {g['model']} | {what} {r['n']}x{r['k']} | {r['m']} | {r['sgemm_gflops']:.0f} | "
                       f"{r['engine_fp32_gflops']:.0f} | {2 * r['engine_int8_gmacs']:.0f} |"
                       if "shape" in r else
                       f"| {g['model']} | {what} | {r['m']} | {r['sgemm_gflops']:.0f} | {r['engine_fp32_gflops']:.0f} | "
                       f"{2 * r['engine_int8_gmacs']:.0f} |")
out += ["", f"load average (1/5/15 min) at start: {sys.argv[3]}; at end: {sys.argv[4]}"]
text = "\n".join(out)
print(text)
open(sys.argv[2], "w").write(text + "\n")
PYEOF
