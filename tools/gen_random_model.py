#!/usr/bin/python3
"""Writes a random-weight BERT-family model directory in the Hugging Face layout.

The output looks like a published model: config.json, model.safetensors (or shards plus
model.safetensors.index.json), tokenizer files copied from a fixture, and for embedding models the
sentence-transformers files (modules.json, 1_Pooling/config.json, sentence_bert_config.json).
Used by the engine correctness tests and the encoder benchmark; never commit its output.

The safetensors format is written here directly (the Python package is not in Debian 12):
8-byte little-endian header length, JSON header {name: {dtype, shape, data_offsets}, "__metadata__"},
header padded with spaces to a multiple of 8, then the raw little-endian tensor data.
"""
import argparse
import json
import os
import shutil
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURES = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "fixtures", "hf"))

TOKENIZERS = {
    "bert": "sentence-transformers--all-MiniLM-L6-v2",
    "bert-cls": "cross-encoder--ms-marco-MiniLM-L-6-v2",
    "roberta": "FacebookAI--roberta-base",
    "distilbert": "sentence-transformers--all-MiniLM-L6-v2",
}
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
                   "vocab.json", "merges.txt"]


def family_of(arch):
    return arch.replace("-cls", "")


def build_config(args):
    fam = family_of(args.arch)
    cls = args.arch.endswith("-cls")
    base = {}
    if args.config_from:
        with open(args.config_from) as f:
            base = json.load(f)
    if fam == "distilbert":
        cfg = {
            "model_type": "distilbert",
            "architectures": ["DistilBertForSequenceClassification" if cls else "DistilBertModel"],
            "vocab_size": 30522, "dim": base.get("hidden_size", args.hidden),
            "n_layers": base.get("num_hidden_layers", args.layers), "n_heads": base.get("num_attention_heads", args.heads),
            "hidden_dim": base.get("intermediate_size", args.intermediate), "activation": args.hidden_act or "gelu",
            "max_position_embeddings": 512, "pad_token_id": 0, "sinusoidal_pos_embds": False,
            "dropout": 0.1, "attention_dropout": 0.1, "seq_classif_dropout": 0.2,
        }
    else:
        roberta = fam == "roberta"
        model_type = args.model_type or ("roberta" if roberta else "bert")
        prefix = {"roberta": "Roberta", "xlm-roberta": "XLMRoberta", "bert": "Bert"}[model_type]
        cfg = {
            "model_type": model_type,
            "architectures": [prefix + ("ForSequenceClassification" if cls else "Model")],
            "vocab_size": 50265 if roberta else 30522,
            "hidden_size": args.hidden, "num_hidden_layers": args.layers, "num_attention_heads": args.heads,
            "intermediate_size": args.intermediate, "hidden_act": args.hidden_act or "gelu",
            "max_position_embeddings": 514 if roberta else 512, "type_vocab_size": 1 if roberta else 2,
            "pad_token_id": 1 if roberta else 0, "layer_norm_eps": 1e-5 if roberta else 1e-12,
            "position_embedding_type": "absolute",
        }
        for k in ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "hidden_act",
                  "layer_norm_eps", "max_position_embeddings", "type_vocab_size", "vocab_size", "pad_token_id"):
            if k in base:
                cfg[k] = base[k]
        for k, v in base.items():  # keep the real file's other keys (dropouts, transformers_version…)
            cfg.setdefault(k, v)
        cfg["architectures"] = [prefix + ("ForSequenceClassification" if cls else "Model")]
        if args.hidden_act:
            cfg["hidden_act"] = args.hidden_act
    if cls:
        n = args.labels if args.labels else len(base.get("id2label", {})) or 2
        names = args.label_names.split(",") if args.label_names else [f"LABEL_{i}" for i in range(n)]
        assert len(names) == n, "--label-names must have --labels entries"
        cfg["id2label"] = {str(i): names[i] for i in range(n)}
        cfg["label2id"] = {names[i]: i for i in range(n)}
        if args.problem_type:
            cfg["problem_type"] = args.problem_type
        elif "problem_type" in cfg and args.config_from is None:
            del cfg["problem_type"]
    else:
        cfg.pop("id2label", None)
        cfg.pop("label2id", None)
    cfg["torch_dtype"] = {"f32": "float32", "f16": "float16", "bf16": "bfloat16"}[args.dtype]
    return cfg


def make_weights(cfg, args, rng):
    fam = family_of(args.arch)
    cls = args.arch.endswith("-cls")
    std = args.std
    if fam == "distilbert":
        H, L, I = cfg["dim"], cfg["n_layers"], cfg["hidden_dim"]
    else:
        H, L, I = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["intermediate_size"]
    V, P = cfg["vocab_size"], cfg["max_position_embeddings"]
    w = {}

    def lin(name, out, inp, p):
        w[p + name + ".weight"] = rng.standard_normal((out, inp), dtype=np.float32) * std
        w[p + name + ".bias"] = rng.standard_normal((out,), dtype=np.float32) * std

    def ln(name, p):
        w[p + name + ".weight"] = 1.0 + 0.1 * rng.standard_normal((H,), dtype=np.float32)
        w[p + name + ".bias"] = 0.1 * rng.standard_normal((H,), dtype=np.float32)

    default_prefix = {"bert": "bert." if cls else "", "roberta": "roberta." if cls else "",
                      "distilbert": "distilbert." if cls else ""}[fam]
    p = args.prefix if args.prefix is not None else default_prefix
    w[p + "embeddings.word_embeddings.weight"] = rng.standard_normal((V, H), dtype=np.float32) * 0.5
    w[p + "embeddings.position_embeddings.weight"] = rng.standard_normal((P, H), dtype=np.float32) * 0.5
    if fam != "distilbert":
        w[p + "embeddings.token_type_embeddings.weight"] = rng.standard_normal(
            (cfg["type_vocab_size"], H), dtype=np.float32) * 0.5
    ln("embeddings.LayerNorm", p)
    for i in range(L):
        if fam == "distilbert":
            q = f"transformer.layer.{i}."
            for n in ("q_lin", "k_lin", "v_lin", "out_lin"):
                lin("attention." + n, H, H, p + q)
            ln("sa_layer_norm", p + q)
            lin("ffn.lin1", I, H, p + q)
            lin("ffn.lin2", H, I, p + q)
            ln("output_layer_norm", p + q)
        else:
            q = f"encoder.layer.{i}."
            for n in ("query", "key", "value"):
                lin("attention.self." + n, H, H, p + q)
            lin("attention.output.dense", H, H, p + q)
            ln("attention.output.LayerNorm", p + q)
            lin("intermediate.dense", I, H, p + q)
            lin("output.dense", H, I, p + q)
            ln("output.LayerNorm", p + q)
    if fam == "bert":
        lin("pooler.dense", H, H, p)  # BertModel checkpoints carry the pooler too
    if cls:
        nl = len(cfg["id2label"])
        if fam == "bert":
            lin("classifier", nl, H, "")
        elif fam == "roberta":
            lin("classifier.dense", H, H, "")
            lin("classifier.out_proj", nl, H, "")
        else:
            lin("pre_classifier", H, H, "")
            lin("classifier", nl, H, "")
    return w


def to_dtype(a, dtype):
    if dtype == "f32":
        return "F32", a.astype("<f4").tobytes()
    if dtype == "f16":
        return "F16", a.astype("<f2").tobytes()
    # bf16: round to nearest even on the upper 16 bits
    bits = a.astype("<f4").view("<u4").astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2")
    return "BF16", rounded.tobytes()


def write_safetensors(path, tensors, dtype):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        code, raw = to_dtype(tensors[name], dtype)
        header[name] = {"dtype": code, "shape": list(tensors[name].shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    return off


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True,
                    choices=["bert", "bert-cls", "roberta", "roberta-cls", "distilbert", "distilbert-cls"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--config-from", help="a real config.json whose shape (sizes, act, eps) to copy")
    ap.add_argument("--model-type", choices=["bert", "roberta", "xlm-roberta"], help="override model_type")
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--intermediate", type=int, default=64)
    ap.add_argument("--hidden-act")
    ap.add_argument("--labels", type=int, default=0)
    ap.add_argument("--label-names")
    ap.add_argument("--problem-type", choices=["single_label_classification", "multi_label_classification",
                                               "regression"])
    ap.add_argument("--pooling", default="mean", choices=["mean", "cls", "max", "cls+mean"])
    ap.add_argument("--normalize", action="store_true", help="add a 2_Normalize module")
    ap.add_argument("--no-st", action="store_true", help="no sentence-transformers files")
    ap.add_argument("--max-seq-length", type=int, default=0)
    ap.add_argument("--dtype", default="f32", choices=["f32", "f16", "bf16"])
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--prefix", help="weight name prefix (default: as transformers saves that class)")
    ap.add_argument("--std", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fixtures", default=os.environ.get("SY_FIXTURES_HF", DEFAULT_FIXTURES))
    args = ap.parse_args()

    tok_dir = os.path.join(args.fixtures, TOKENIZERS.get(args.arch, TOKENIZERS[family_of(args.arch)]))
    if not os.path.isdir(tok_dir):
        sys.exit(f"fixture tokenizer directory not found: {tok_dir}")
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):  # a fresh directory each time (old shards must not linger)
        p = os.path.join(args.out, f)
        shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)

    cfg = build_config(args)
    rng = np.random.default_rng(args.seed)
    weights = make_weights(cfg, args, rng)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)

    names = sorted(weights)
    if args.shards <= 1:
        write_safetensors(os.path.join(args.out, "model.safetensors"), weights, args.dtype)
    else:
        n = args.shards
        weight_map, total = {}, 0
        for s in range(n):
            part = names[s::n]
            fname = f"model-{s + 1:05d}-of-{n:05d}.safetensors"
            total += write_safetensors(os.path.join(args.out, fname), {k: weights[k] for k in part}, args.dtype)
            for k in part:
                weight_map[k] = fname
        with open(os.path.join(args.out, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)

    for fn in TOKENIZER_FILES:
        src = os.path.join(tok_dir, fn)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(args.out, fn))

    if not args.arch.endswith("-cls") and not args.no_st:
        modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                   {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
        if args.normalize:
            modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
            os.makedirs(os.path.join(args.out, "2_Normalize"), exist_ok=True)
        with open(os.path.join(args.out, "modules.json"), "w") as f:
            json.dump(modules, f, indent=2)
        H = cfg.get("hidden_size", cfg.get("dim"))
        modes = args.pooling.split("+")
        pool = {"word_embedding_dimension": H, "pooling_mode_cls_token": "cls" in modes,
                "pooling_mode_mean_tokens": "mean" in modes, "pooling_mode_max_tokens": "max" in modes,
                "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
                "pooling_mode_lasttoken": False, "include_prompt": True}
        os.makedirs(os.path.join(args.out, "1_Pooling"), exist_ok=True)
        with open(os.path.join(args.out, "1_Pooling", "config.json"), "w") as f:
            json.dump(pool, f, indent=2)
        if args.max_seq_length:
            with open(os.path.join(args.out, "sentence_bert_config.json"), "w") as f:
                json.dump({"max_seq_length": args.max_seq_length, "do_lower_case": False}, f)
    size = sum(a.size for a in weights.values())
    print(f"wrote {args.out}: {cfg['architectures'][0]}, {size / 1e6:.1f}M parameters, {args.dtype}, "
          f"{max(args.shards, 1)} file(s)")


if __name__ == "__main__":
    main()
