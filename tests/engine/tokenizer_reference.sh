#!/usr/bin/env bash
# CTest driver: regenerates golden tokenizations with the npm reference (tests/node/
# tokenizer_reference.mjs) and checks the engine's tokenizer against them, per fixture model and
# per max_length mode. Goldens go to the build dir and are never committed, so the reference
# runs every time.
#   tokenizer_reference.sh <tokenizer_check> <repo root> <fixtures/hf dir> <out dir>
set -uo pipefail
check="$1" repo="$2" fixtures="$3" out="$4"
node_dir="$repo/tests/node"
corpus="$repo/tests/engine/tokenizer_corpus.json"
known="$repo/tests/engine/tokenizer_known_differences.json"

if [ ! -d "$node_dir/node_modules/@huggingface/tokenizers" ]; then
  echo "FAIL: $node_dir/node_modules is missing @huggingface/tokenizers; run scripts/install-deps.sh (it runs npm ci in tests/node)"
  exit 1
fi
command -v node >/dev/null || { echo "FAIL: node is not on PATH; run scripts/install-deps.sh"; exit 1; }
mkdir -p "$out"

models=(
  sentence-transformers--all-MiniLM-L6-v2
  cross-encoder--ms-marco-MiniLM-L-6-v2
  FacebookAI--roberta-base
  HuggingFaceTB--SmolLM-360M-Instruct
  TinyLlama--TinyLlama-1.1B-Chat-v1.0
  google-t5--t5-small
)
status=0 ran=0
for m in "${models[@]}"; do
  dir="$fixtures/$m"
  if [ ! -f "$dir/tokenizer.json" ]; then
    echo "SKIP $m: no fixture at $dir"
    continue
  fi
  for max in 0 16; do
    golden="$out/$m.max$max.json"
    if ! node "$node_dir/tokenizer_reference.mjs" "$dir" "$corpus" "$max" >"$golden"; then
      echo "FAIL: reference tokenizer failed for $m (max_length $max)"
      status=1
      continue
    fi
    "$check" "$dir" "$corpus" "$golden" "$max" "$known" || status=1
    ran=$((ran + 1))
  done
done
if [ "$ran" -eq 0 ]; then
  echo "SKIPPED: no tokenizer fixtures under $fixtures"
  exit 77
fi
exit $status
