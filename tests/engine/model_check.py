#!/usr/bin/python3
"""Engine vs. reference for one model case: generates a random-weight model in the HF layout
(tools/gen_random_model.py), runs the C++ engine (sy-engine-run, which tokenizes and writes the
ids it ran), runs tests/engine/reference.py (PyTorch, float64) on those ids, and compares.

Exit status: 0 pass, 1 fail, 77 skipped (fixtures missing).
  model_check.py --case NAME --engine-run BIN --work DIR [--fixtures DIR] [--list]
"""
import argparse
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GEN = os.path.join(ROOT, "tools", "gen_random_model.py")
REF = os.path.join(HERE, "reference.py")
PY = "/usr/bin/python3"

TEXTS = [
    "Hello world!",
    "The quick brown fox jumps over the lazy dog.",
    "A somewhat longer sentence, with punctuation; numbers like 3.14159 and 42, and UPPER case words.",
    "Ünïcödé façade, naïve café — déjà vu.",
    "x",
    "Encoders map text to vectors. " * 12,
    "Attention is all you need, they said, and then everyone trained a transformer on everything they "
    "could find, which turned out to be a great deal of text about a great many subjects. " * 8,
]
QUERY = "how do transformers encode text?"

MINILM = "sentence-transformers--all-MiniLM-L6-v2/config.json"
CROSS = "cross-encoder--ms-marco-MiniLM-L-6-v2/config.json"

# name: (generator args, task, engine args, kind of comparison)
CASES = {
    "bert_tiny_mean_norm": (["--arch", "bert", "--normalize"], "embed", [], "fp32"),
    "bert_tiny_gelu_tanh_cls_f16": (["--arch", "bert", "--hidden-act", "gelu_new", "--pooling", "cls",
                                     "--dtype", "f16"], "embed", [], "fp32"),
    "bert_tiny_prefixed_nost": (["--arch", "bert", "--prefix", "bert.", "--no-st"], "embed", [], "fp32"),
    "minilm_l6_real_shape": (["--arch", "bert", "--config-from", MINILM, "--normalize", "--max-seq-length", "256"],
                             "embed", [], "fp32"),
    # forward_tokens 64: the 7 inputs (3-128 tokens after truncation) run as 3 sub-batches, the two
    # longest alone; results must equal the one-pass case
    "minilm_l6_real_shape_subbatched": (["--arch", "bert", "--config-from", MINILM, "--normalize",
                                         "--max-seq-length", "256"], "embed", ["--forward-tokens", "64"], "fp32"),
    "minilm_l6_real_shape_int8": (["--arch", "bert", "--config-from", MINILM, "--normalize",
                                   "--max-seq-length", "256"], "embed", ["--int8"], "int8"),
    "minilm_l6_bf16_sharded": (["--arch", "bert", "--config-from", MINILM, "--normalize", "--dtype", "bf16",
                                "--shards", "3"], "embed", [], "fp32"),
    "cross_encoder_real_shape": (["--arch", "bert-cls", "--config-from", CROSS], "score", [], "fp32"),
    "cross_encoder_real_shape_logits": (["--arch", "bert-cls", "--config-from", CROSS], "score", ["--raw-logits"],
                                        "fp32"),
    "cross_encoder_real_shape_int8": (["--arch", "bert-cls", "--config-from", CROSS], "score",
                                      ["--int8", "--raw-logits"], "int8"),
    "bert_cls_3labels_bf16_sharded": (["--arch", "bert-cls", "--labels", "3", "--dtype", "bf16", "--shards", "2",
                                       "--problem-type", "single_label_classification"], "classify", [], "fp32"),
    "roberta_tiny_cls_pool": (["--arch", "roberta", "--pooling", "cls"], "embed", [], "fp32"),
    "roberta_cls_multilabel": (["--arch", "roberta-cls", "--labels", "4",
                                "--problem-type", "multi_label_classification"], "classify", [], "fp32"),
    "xlm_roberta_cls_f16": (["--arch", "roberta-cls", "--model-type", "xlm-roberta", "--labels", "2",
                             "--dtype", "f16"], "classify", [], "fp32"),
    "roberta_cls_int8": (["--arch", "roberta-cls", "--labels", "3"], "classify", ["--int8", "--raw-logits"], "int8"),
    "distilbert_tiny_max_pool": (["--arch", "distilbert", "--pooling", "max"], "embed", [], "fp32"),
    "distilbert_cls_2labels": (["--arch", "distilbert-cls", "--labels", "2"], "classify", [], "fp32"),
    "distilbert_cls_pair_score": (["--arch", "distilbert-cls", "--labels", "1", "--pooling", "cls+mean"],
                                  "score", [], "fp32"),
}

# Tolerances (docs/engine.md "Correctness"): fp32 engine vs float64 reference.
FP32_COS, FP32_ABS = 0.99999, 1e-4
# int8 dynamic quantization of every encoder Linear layer (docs/engine.md "int8": measured min cosine
# 0.99957 / max abs 4.6e-3 on normalized MiniLM-L6 embeddings, logits max abs 1.5e-2 and 3.1e-4).
INT8_COS, INT8_ABS_EMBED, INT8_ABS_LOGITS = 0.999, 0.02, 0.05


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na > 0 and nb > 0 else (1.0 if na == nb else 0.0)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(f"command failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}{r.stderr}")
        sys.exit(1)
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case")
    ap.add_argument("--engine-run")
    ap.add_argument("--work", default="/tmp/sy-engine-models")
    ap.add_argument("--fixtures", default=os.path.normpath(os.path.join(ROOT, "..", "shared", "fixtures", "hf")))
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        print("\n".join(CASES))
        return 0
    gen_args, task, eng_args, kind = CASES[args.case]
    gen_args = list(gen_args)
    for i, a in enumerate(gen_args):
        if a.endswith("config.json"):
            gen_args[i] = os.path.join(args.fixtures, a)
            if not os.path.exists(gen_args[i]):
                print(f"SKIP: fixture {gen_args[i]} not found")
                return 77
    if not os.path.isdir(args.fixtures):
        print(f"SKIP: fixtures directory {args.fixtures} not found")
        return 77
    r = subprocess.run([PY, "-c", "import torch, numpy"], capture_output=True)
    if r.returncode != 0:
        print("FAIL: /usr/bin/python3 cannot import torch/numpy; run scripts/install-deps.sh "
              "(python3-torch, python3-numpy)")
        return 1

    d = os.path.join(args.work, args.case)
    model = os.path.join(d, "model")
    os.makedirs(d, exist_ok=True)
    print(run([PY, GEN, *gen_args, "--out", model, "--fixtures", args.fixtures, "--seed", "7"]).strip())

    inp = os.path.join(d, "input.json")
    with open(inp, "w") as f:
        json.dump({"texts": TEXTS, "query": QUERY}, f)
    ids, ours, ref = (os.path.join(d, n) for n in ("ids.json", "engine.json", "reference.json"))
    run([args.engine_run, "--model", model, "--task", task, "--input", inp, "--out", ours, "--ids-out", ids,
         "--threads", "2", *eng_args])
    run([PY, REF, "--model", model, "--ids", ids, "--out", ref])
    with open(ours) as f:
        a = json.load(f)
    with open(ref) as f:
        b = json.load(f)
    with open(ids) as f:
        lens = [len(s["ids"]) for s in json.load(f)["sequences"]]
    print(f"task {task}, {len(lens)} sequences, lengths {lens}, engine info {json.dumps(a['info'])}")

    if task == "score":
        got, want = [[x] for x in a["scores"]], [[x] for x in b["scores"]]
    else:
        got, want = a["vectors"], b["vectors"]
    if len(got) != len(want) or any(len(x) != len(y) for x, y in zip(got, want)):
        print(f"FAIL: shape mismatch: engine {[len(x) for x in got]} vs reference {[len(y) for y in want]}")
        return 1
    max_abs = max(abs(x - y) for u, v in zip(got, want) for x, y in zip(u, v))
    min_cos = min(cosine(u, v) for u, v in zip(got, want)) if task == "embed" else None
    raw = "--raw-logits" in eng_args
    what = "logits" if raw else ("scores" if task == "score" else ("probabilities" if task == "classify" else "embeddings"))
    print(f"{what}: max abs error {max_abs:.3g}" + (f", min cosine {min_cos:.8f}" if min_cos is not None else ""))
    ok = True
    if kind == "fp32":
        ok = max_abs <= FP32_ABS and (min_cos is None or min_cos >= FP32_COS)
        bound = f"fp32 bounds: max abs <= {FP32_ABS}" + (f", cosine >= {FP32_COS}" if min_cos is not None else "")
    else:
        if task == "embed":
            ok = min_cos >= INT8_COS and max_abs <= INT8_ABS_EMBED
            bound = f"int8 bounds: cosine >= {INT8_COS}, max abs <= {INT8_ABS_EMBED}"
        else:
            ok = max_abs <= INT8_ABS_LOGITS
            bound = f"int8 bound: logits max abs <= {INT8_ABS_LOGITS}"
    print(("PASS" if ok else "FAIL") + f" ({bound})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
