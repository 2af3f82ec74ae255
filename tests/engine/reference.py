#!/usr/bin/python3
"""Reference forward pass of the BERT-family encoders, in PyTorch, written from the architecture
definitions (not `transformers`). Reads the same model directory as the C++ engine (safetensors
parsed here with numpy) and the token ids the C++ side wrote, so the tokenizer is not part of the
comparison. Inputs are padded and masked the way transformers does it, so the engine's unpadded
(packed) computation is checked against the padded one.

  check mode: reference.py --model DIR --ids ids.json --out out.json [--dtype float64|float32]
      ids.json: {"task": "embed|classify|score", "normalize": bool, "raw_logits": bool,
                 "sequences": [{"ids": [...], "type_ids": [...]}, ...]}
  bench mode: reference.py --bench --model DIR --batch B --seq L [--threads 2] [--seconds S] [--int8]
      --int8: the encoder layers' Linear modules through torch.ao.quantization.quantize_dynamic
      (qint8, oneDNN engine), PyTorch's own int8 inference
"""
import argparse
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit("reference.py: PyTorch is not available for /usr/bin/python3; run scripts/install-deps.sh "
             "(Debian package python3-torch)")


# ---- loading --------------------------------------------------------------------------------------

def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        buf = raw[base + b:base + e]
        dt = info["dtype"]
        if dt == "F32":
            a = np.frombuffer(buf, dtype="<f4")
        elif dt == "F16":
            a = np.frombuffer(buf, dtype="<f2").astype(np.float32)
        elif dt == "BF16":
            a = (np.frombuffer(buf, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise SystemExit(f"{path}: unsupported dtype {dt}")
        out[name] = a.reshape(info["shape"]).copy()
    return out


def load_weights(d):
    single = os.path.join(d, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)
    with open(os.path.join(d, "model.safetensors.index.json")) as f:
        index = json.load(f)
    w = {}
    for shard in sorted(set(index["weight_map"].values())):
        w.update(read_safetensors(os.path.join(d, shard)))
    return w


def load_model(d, dtype):
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    w = {k: torch.from_numpy(v).to(dtype) for k, v in load_weights(d).items()}
    arch = cfg["architectures"][0]
    mt = cfg["model_type"]
    fam = "distilbert" if mt == "distilbert" else ("roberta" if mt in ("roberta", "xlm-roberta") else "bert")
    suffix = "embeddings.word_embeddings.weight"
    prefix = [k[:-len(suffix)] for k in w if k.endswith(suffix)][0]
    pooling, normalize = None, False
    mpath = os.path.join(d, "modules.json")
    if os.path.exists(mpath):
        with open(mpath) as f:
            for m in json.load(f):
                if m["type"].endswith("Pooling"):
                    with open(os.path.join(d, m["path"], "config.json")) as pf:
                        pc = json.load(pf)
                    pooling = [k for k in ("cls_token", "max_tokens", "mean_tokens")
                               if pc.get("pooling_mode_" + k)]
                elif m["type"].endswith("Normalize"):
                    normalize = True
    return dict(cfg=cfg, w=w, fam=fam, prefix=prefix, cls=arch.endswith("ForSequenceClassification"),
                pooling=pooling or ["mean_tokens"], normalize=normalize)


# ---- forward --------------------------------------------------------------------------------------

def act_fn(name):
    if name in (None, "gelu"):
        return lambda x: F.gelu(x)
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "relu":
        return F.relu
    raise SystemExit(f"unsupported activation {name}")


def linear(x, w, name):
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def layer_norm(x, w, name, eps):
    g = w.get(name + ".weight", w.get(name + ".gamma"))
    b = w.get(name + ".bias", w.get(name + ".beta"))
    return F.layer_norm(x, (x.shape[-1],), g, b, eps)


def encode(m, ids, types, mask):
    cfg, w, p, fam = m["cfg"], m["w"], m["prefix"], m["fam"]
    if fam == "distilbert":
        H, nh, L, eps, act = cfg["dim"], cfg["n_heads"], cfg["n_layers"], 1e-12, act_fn(cfg.get("activation"))
    else:
        H, nh, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
        eps, act = cfg.get("layer_norm_eps", 1e-12), act_fn(cfg.get("hidden_act"))
    B, T = ids.shape
    modules = m.get("linears")  # nn.Linear (possibly dynamically quantized) per name, bench --int8

    def lin(t, name):
        return modules[name.replace(".", "_")](t) if modules is not None else linear(t, w, name)

    if fam == "roberta":
        pad = cfg.get("pad_token_id", 1)
        nonpad = (ids != pad).long()
        pos = torch.cumsum(nonpad, dim=1) * nonpad + pad
    else:
        pos = torch.arange(T).unsqueeze(0).expand(B, T)
    x = w[p + "embeddings.word_embeddings.weight"][ids] + w[p + "embeddings.position_embeddings.weight"][pos]
    if fam != "distilbert":
        x = x + w[p + "embeddings.token_type_embeddings.weight"][types]
    x = layer_norm(x, w, p + "embeddings.LayerNorm", eps)
    d = H // nh
    neg = torch.finfo(x.dtype).min
    bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * neg
    for i in range(L):
        if fam == "distilbert":
            q = f"{p}transformer.layer.{i}."
            names = [q + "attention.q_lin", q + "attention.k_lin", q + "attention.v_lin", q + "attention.out_lin",
                     q + "sa_layer_norm", q + "ffn.lin1", q + "ffn.lin2", q + "output_layer_norm"]
        else:
            q = f"{p}encoder.layer.{i}."
            names = [q + "attention.self.query", q + "attention.self.key", q + "attention.self.value",
                     q + "attention.output.dense", q + "attention.output.LayerNorm", q + "intermediate.dense",
                     q + "output.dense", q + "output.LayerNorm"]

        def heads(t):
            return t.view(B, T, nh, d).transpose(1, 2)

        Q, K, V = (heads(lin(x, n)) for n in names[:3])
        s = Q @ K.transpose(-1, -2) / math.sqrt(d) + bias
        ctx = (torch.softmax(s, dim=-1) @ V).transpose(1, 2).reshape(B, T, H)
        x = layer_norm(lin(ctx, names[3]) + x, w, names[4], eps)
        h = act(lin(x, names[5]))
        x = layer_norm(lin(h, names[6]) + x, w, names[7], eps)
    return x


def pool(m, x, mask):
    outs = []
    mf = mask.unsqueeze(-1).to(x.dtype)
    for mode in m["pooling"]:
        if mode == "cls_token":
            outs.append(x[:, 0])
        elif mode == "max_tokens":
            outs.append(torch.where(mf > 0, x, torch.full_like(x, -1e9)).max(dim=1).values)
        else:
            outs.append((x * mf).sum(1) / mf.sum(1).clamp(min=1e-9))
    return torch.cat(outs, dim=-1)


def head_logits(m, x):
    w, fam, p = m["w"], m["fam"], m["prefix"]
    first = x[:, 0]
    if fam == "bert":
        return linear(torch.tanh(linear(first, w, p + "pooler.dense")), w, "classifier")
    if fam == "roberta":
        return linear(torch.tanh(linear(first, w, "classifier.dense")), w, "classifier.out_proj")
    return linear(F.relu(linear(first, w, "pre_classifier")), w, "classifier")


def head_activation(m, logits):
    """Same decision rule as the engine (docs/engine.md): problem_type if declared, else one
    label → sigmoid, several → softmax."""
    pt = m["cfg"].get("problem_type")
    n = logits.shape[-1]
    if pt == "multi_label_classification" or (pt is None and n == 1):
        return torch.sigmoid(logits)
    if pt == "regression":
        return logits
    return torch.softmax(logits, dim=-1)


def batch_tensors(m, seqs):
    pad = m["cfg"].get("pad_token_id", 1 if m["fam"] == "roberta" else 0)
    T = max(len(s["ids"]) for s in seqs)
    ids = torch.full((len(seqs), T), pad, dtype=torch.long)
    types = torch.zeros((len(seqs), T), dtype=torch.long)
    mask = torch.zeros((len(seqs), T), dtype=torch.long)
    for i, s in enumerate(seqs):
        n = len(s["ids"])
        ids[i, :n] = torch.tensor(s["ids"])
        if s.get("type_ids"):
            types[i, :n] = torch.tensor(s["type_ids"])
        mask[i, :n] = 1
    return ids, types, mask


def run(m, req):
    ids, types, mask = batch_tensors(m, req["sequences"])
    with torch.no_grad():
        x = encode(m, ids, types, mask)
        task = req["task"]
        if task == "embed":
            v = pool(m, x, mask)
            if req.get("normalize") or m["normalize"]:
                v = F.normalize(v, p=2, dim=-1)
            return {"vectors": v.tolist()}
        logits = head_logits(m, x)
        if req.get("raw_logits"):
            probs = logits
        else:
            probs = head_activation(m, logits)
        if task == "classify":
            return {"vectors": probs.tolist(), "logits": logits.tolist()}
        return {"scores": probs[:, -1].tolist(), "logits": logits.tolist()}


# ---- bench ----------------------------------------------------------------------------------------

def quantized_linears(m):
    """The encoder layers' Linear weights as nn.Linear modules, then PyTorch's own dynamic int8
    quantization of them (what users of torch would do): quantize_dynamic with qint8 weights on
    the oneDNN quantized engine (per-tensor weight scale, activations quantized per call)."""
    w = m["w"]
    layer = "transformer.layer." if m["fam"] == "distilbert" else "encoder.layer."
    mods = torch.nn.ModuleDict()
    for name, t in w.items():
        if layer in name and name.endswith(".weight") and t.dim() == 2:
            base = name[:-len(".weight")]
            lin = torch.nn.Linear(t.shape[1], t.shape[0])
            with torch.no_grad():
                lin.weight.copy_(t)
                lin.bias.copy_(w[base + ".bias"])
            mods[base.replace(".", "_")] = lin
    for name in [n for n in w if layer in n and n.endswith(".weight") and w[n].dim() == 2]:
        del w[name]  # the float copies are not needed any more (fairer peak RSS)
    torch.backends.quantized.engine = "onednn"
    return torch.ao.quantization.quantize_dynamic(mods, {torch.nn.Linear}, dtype=torch.qint8)


def bench(args):
    torch.set_num_threads(args.threads)
    m = load_model(args.model, torch.float32)
    if args.int8:
        m["linears"] = quantized_linears(m)
    cfg = m["cfg"]
    rng = np.random.default_rng(1)
    seqs = [{"ids": [101] + rng.integers(1000, 20000, args.seq - 2).tolist() + [102]} for _ in range(args.batch)]
    ids, types, mask = batch_tensors(m, seqs)
    lat = []
    with torch.no_grad():
        encode(m, ids, types, mask)  # warm-up
        start = time.perf_counter()
        while time.perf_counter() - start < args.seconds or len(lat) < 3:
            t0 = time.perf_counter()
            x = encode(m, ids, types, mask)
            pool(m, x, mask)
            lat.append(time.perf_counter() - t0)
    lat.sort()
    # Debian's torch is built with BLAS_INFO=generic: it calls libblas.so.3, which the alternatives
    # system points at OpenBLAS (pthread or openmp flavour) when that is installed.
    blas = torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0]
    if blas == "generic":
        blas = "generic -> " + os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    print(json.dumps({"impl": "pytorch-int8" if args.int8 else "pytorch", "batch": args.batch, "seq": args.seq, "iters": len(lat),
                      "p50_ms": 1e3 * lat[len(lat) // 2], "min_ms": 1e3 * lat[0],
                      "seq_per_s": args.batch * len(lat) / sum(lat),
                      "tokens_per_s": args.batch * args.seq * len(lat) / sum(lat),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                      "threads": torch.get_num_threads(), "blas": blas, "torch": torch.__version__,
                      "hidden": cfg.get("hidden_size", cfg.get("dim"))}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--ids")
    ap.add_argument("--out")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--seq", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--int8", action="store_true", help="bench: torch dynamic int8 Linear layers (onednn)")
    args = ap.parse_args()
    if args.bench:
        return bench(args)
    torch.set_num_threads(max(1, args.threads))
    m = load_model(args.model, getattr(torch, args.dtype))
    with open(args.ids) as f:
        req = json.load(f)
    out = run(m, req)
    with open(args.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
