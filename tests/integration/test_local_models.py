"""Local models (provider kind `local`): tiny random-weight Hugging Face model directories made by
tools/gen_random_model.py are served by the in-process engine on /v1/embeddings, /v1/rerank and
/v1/classify. Checks the response shapes, base64 vs float embeddings, rerank ordering/top_n/
return_documents, classify label probabilities, usage (in responses and in the request log), the
errors, and back-pressure (a full engine queue answers 429 and the gateway stays healthy).

Where a built sy-engine-run (tests/engine) is found, the gateway's numbers are also compared with the
engine's own output for the same inputs."""

import base64
import glob
import json
import math
import os
import sqlite3
import struct
import subprocess
import tempfile
import threading
import time
import unittest

from harness import REPO, Config, Gateway, GatewayTestCase, db_attempts, db_request

GEN = os.path.join(REPO, "tools", "gen_random_model.py")
PY = "/usr/bin/python3"
LABELS = ["negative", "neutral", "positive"]

MODELS = {}      # kind -> directory, filled by setUpModule
_tmp = None


def _gen(name, *args):
    out = os.path.join(_tmp.name, name)
    subprocess.run([PY, GEN, "--out", out] + list(args), check=True, capture_output=True, timeout=120)
    return out


def setUpModule():
    global _tmp
    _tmp = tempfile.TemporaryDirectory(prefix="sy-local-models-")
    try:
        MODELS["embed"] = _gen("embed", "--arch", "bert", "--pooling", "mean", "--normalize", "--seed", "1")
        MODELS["embed_raw"] = _gen("embed-raw", "--arch", "bert", "--pooling", "cls", "--seed", "2")
        MODELS["rerank"] = _gen("rerank", "--arch", "bert-cls", "--labels", "1", "--seed", "3")
        MODELS["classify"] = _gen("classify", "--arch", "bert-cls", "--labels", "3",
                                  "--label-names", ",".join(LABELS),
                                  "--problem-type", "single_label_classification", "--seed", "4")
        MODELS["big"] = _gen("big", "--arch", "bert", "--hidden", "256", "--layers", "6", "--heads", "4",
                             "--intermediate", "1024", "--seed", "5")
    except subprocess.CalledProcessError as e:
        _tmp.cleanup()
        raise unittest.SkipTest("cannot generate test models (tokenizer fixtures missing?): %s" %
                                e.stderr.decode("utf-8", "replace")[-500:])


def tearDownModule():
    if _tmp:
        _tmp.cleanup()


def add_local(cfg, engine=None):
    cfg.data["providers"]["loc"] = {"kind": "local"}
    cfg.data["engine"] = engine or {"threads": 1, "max_batch_tokens": 4096, "queue_capacity": 64}

    def model(name, kind, type_, **extra):
        m = {"provider": "loc", "path": MODELS[kind], "type": type_,
             "price": {"input_per_mtok": 2.0, "output_per_mtok": 0}}
        m.update(extra)
        cfg.data["models"][name] = m
    return model


def decode_b64(s):
    raw = base64.b64decode(s)
    return list(struct.unpack("<%df" % (len(raw) // 4), raw))


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def engine_run_bin():
    path = os.environ.get("SY_ENGINE_RUN")
    if path:
        return path
    found = sorted(glob.glob(os.path.join(REPO, "build*", "tests", "engine", "sy-engine-run")),
                   key=os.path.getmtime)
    return found[-1] if found else None


TEXTS = ["The quick brown fox jumps over the lazy dog.", "A local model answers this one.",
         "Embeddings map text to vectors."]
DOCS = ["Paris is the capital of France.", "Bananas are yellow.", "The Eiffel tower is in Paris.",
        "Gradient descent minimises a loss.", "France borders Spain."]


class LocalModelsTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok",))
        model = add_local(cfg)
        model("loc-embed", "embed", "embedding")
        model("loc-embed-raw", "embed_raw", "embedding", quantize="int8")
        model("loc-rerank", "rerank", "rerank")
        model("loc-classify", "classify", "classify")
        cfg.route("embed-chain", ["loc-embed", "oai-embed"])

    def post(self, path, body, rid=None):
        headers = {"x-request-id": rid} if rid else None
        return self.client.post(path, body, headers=headers)

    # --- embeddings -----------------------------------------------------------------------------
    def embed(self, model, inputs, **extra):
        r = self.post("/v1/embeddings", dict({"model": model, "input": inputs}, **extra))
        self.assertEqual(r.status, 200, r)
        return r

    def test_embeddings_float_shape_and_unit_norm(self):
        r = self.embed("loc-embed", TEXTS)
        body = r.json()
        self.assertEqual(body["object"], "list")
        self.assertEqual(body["model"], "loc-embed")
        self.assertEqual([d["index"] for d in body["data"]], [0, 1, 2])
        dims = {len(d["embedding"]) for d in body["data"]}
        self.assertEqual(dims, {32})
        for d in body["data"]:
            self.assertEqual(d["object"], "embedding")
            norm = math.sqrt(sum(x * x for x in d["embedding"]))
            self.assertAlmostEqual(norm, 1.0, places=4)
        # different texts give different vectors
        self.assertNotEqual(body["data"][0]["embedding"], body["data"][1]["embedding"])
        u = body["usage"]
        self.assertGreater(u["prompt_tokens"], len(TEXTS) * 2)
        self.assertEqual(u["total_tokens"], u["prompt_tokens"])
        self.assertEqual(r.headers["x-switchyard-model"], "loc-embed")
        self.assertEqual(r.headers["x-switchyard-provider"], "loc")
        self.assertEqual(r.headers["x-switchyard-attempts"], "1")

    def test_embeddings_base64_equals_float(self):
        fl = self.embed("loc-embed", TEXTS).json()
        b64 = self.embed("loc-embed", TEXTS, encoding_format="base64").json()
        for a, b in zip(fl["data"], b64["data"]):
            self.assertIsInstance(b["embedding"], str)
            decoded = decode_b64(b["embedding"])
            self.assertEqual(decoded, [f32(x) for x in a["embedding"]])
        self.assertEqual(fl["usage"], b64["usage"])

    def test_embeddings_single_string_and_dimensions(self):
        one = self.embed("loc-embed", TEXTS[0], dimensions=32).json()
        self.assertEqual(len(one["data"]), 1)
        batch = self.embed("loc-embed", TEXTS).json()
        for x, y in zip(one["data"][0]["embedding"], batch["data"][0]["embedding"]):
            self.assertAlmostEqual(x, y, places=5)
        r = self.post("/v1/embeddings", {"model": "loc-embed", "input": "x", "dimensions": 16})
        err = self.assertOpenAIError(r, 400)
        self.assertIn("32", err["message"])

    def test_embeddings_without_normalize_and_int8(self):
        body = self.embed("loc-embed-raw", TEXTS).json()
        norms = [math.sqrt(sum(x * x for x in d["embedding"])) for d in body["data"]]
        self.assertTrue(any(abs(n - 1.0) > 1e-3 for n in norms), norms)

    def test_embeddings_token_ids_rejected(self):
        for inp in ([1, 2, 3], [[1, 2], [3, 4]]):
            r = self.post("/v1/embeddings", {"model": "loc-embed", "input": inp})
            err = self.assertOpenAIError(r, 400)
            self.assertIn("local models take text input, not token ids", err["message"])

    def test_embeddings_chain_falls_back_for_token_ids(self):
        # The local target refuses token ids; the chain's remote target takes them.
        r = self.post("/v1/embeddings", {"model": "embed-chain", "input": [1, 2, 3]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["x-switchyard-model"], "oai-embed")
        r = self.post("/v1/embeddings", {"model": "embed-chain", "input": "text"})
        self.assertEqual(r.headers["x-switchyard-model"], "loc-embed")

    def test_remote_embeddings_still_work(self):
        r = self.post("/v1/embeddings", {"model": "oai-embed", "input": ["a", "b"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json()["data"]), 2)
        self.assertEqual(r.headers["x-switchyard-provider"], "oai")

    # --- rerank ---------------------------------------------------------------------------------
    def test_rerank_orders_by_score(self):
        r = self.post("/v1/rerank", {"model": "loc-rerank", "query": "What is the capital of France?",
                                     "documents": DOCS})
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertTrue(body["id"].startswith("rerank-"), body["id"])
        self.assertEqual(body["model"], "loc-rerank")
        res = body["results"]
        self.assertEqual(sorted(x["index"] for x in res), list(range(len(DOCS))))
        scores = [x["relevance_score"] for x in res]
        self.assertEqual(scores, sorted(scores, reverse=True))
        for x in res:
            self.assertNotIn("document", x)
            self.assertTrue(0.0 < x["relevance_score"] < 1.0)   # one-label cross-encoder: sigmoid
        self.assertGreater(body["usage"]["prompt_tokens"], 0)
        self.assertEqual(body["usage"]["total_tokens"], body["usage"]["prompt_tokens"])
        self.assertEqual(body["meta"], {"billed_units": {"search_units": 1}})
        # each document scored alone gets the same score as in the batch
        for x in res[:2]:
            alone = self.post("/v1/rerank", {"model": "loc-rerank", "query": "What is the capital of France?",
                                             "documents": [DOCS[x["index"]]]}).json()
            self.assertAlmostEqual(alone["results"][0]["relevance_score"], x["relevance_score"], places=5)

    def test_rerank_top_n_and_return_documents(self):
        q = "Where is the Eiffel tower?"
        full = self.post("/v1/rerank", {"model": "loc-rerank", "query": q, "documents": DOCS}).json()
        r = self.post("/v1/rerank", {"model": "loc-rerank", "query": q, "top_n": 2, "return_documents": True,
                                     "documents": [{"text": d} for d in DOCS]})
        self.assertEqual(r.status, 200, r)
        top = r.json()["results"]
        self.assertEqual(len(top), 2)
        self.assertEqual([x["index"] for x in top], [x["index"] for x in full["results"][:2]])
        for x in top:
            self.assertEqual(x["document"], {"text": DOCS[x["index"]]})
        # TEI's names
        tei = self.post("/rerank", {"model": "loc-rerank", "query": q, "texts": DOCS, "return_text": True})
        self.assertEqual(tei.status, 200, tei)
        self.assertEqual([x["index"] for x in tei.json()["results"]], [x["index"] for x in full["results"]])
        self.assertIn("document", tei.json()["results"][0])

    def test_rerank_validation(self):
        r = self.post("/v1/rerank", {"model": "loc-rerank", "query": "q", "documents": ["a", 5]})
        err = self.assertOpenAIError(r, 400)
        self.assertEqual(err["param"], "documents[1]")
        r = self.post("/v1/rerank", {"model": "loc-rerank", "documents": ["a"]})
        self.assertEqual(self.assertOpenAIError(r, 400)["param"], "query")
        r = self.post("/v1/rerank", {"model": "loc-rerank", "query": "q", "documents": ["a"], "top_n": 0})
        self.assertEqual(self.assertOpenAIError(r, 400)["param"], "top_n")

    # --- classify -------------------------------------------------------------------------------
    def test_classify_softmax_labels(self):
        r = self.post("/v1/classify", {"model": "loc-classify", "input": TEXTS})
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["object"], "list")
        self.assertEqual(body["model"], "loc-classify")
        self.assertEqual([d["index"] for d in body["data"]], [0, 1, 2])
        for d in body["data"]:
            labels = d["labels"]
            self.assertEqual(sorted(x["label"] for x in labels), sorted(LABELS))
            scores = [x["score"] for x in labels]
            self.assertEqual(scores, sorted(scores, reverse=True))
            self.assertAlmostEqual(sum(scores), 1.0, places=5)
        self.assertGreater(body["usage"]["prompt_tokens"], 0)

    def test_classify_top_k_and_inputs_alias(self):
        full = self.post("/v1/classify", {"model": "loc-classify", "input": TEXTS[0]}).json()
        r = self.post("/classify", {"model": "loc-classify", "inputs": [TEXTS[0]], "top_k": 1})
        self.assertEqual(r.status, 200, r)
        labels = r.json()["data"][0]["labels"]
        self.assertEqual(len(labels), 1)
        self.assertEqual(labels[0]["label"], full["data"][0]["labels"][0]["label"])
        self.assertAlmostEqual(labels[0]["score"], full["data"][0]["labels"][0]["score"], places=6)

    # --- errors ---------------------------------------------------------------------------------
    def test_unknown_model_404(self):
        for path, body in (("/v1/rerank", {"model": "nope", "query": "q", "documents": ["a"]}),
                           ("/v1/classify", {"model": "nope", "input": "a"}),
                           ("/v1/embeddings", {"model": "nope", "input": "a"})):
            err = self.assertOpenAIError(self.post(path, body), 404)
            self.assertEqual(err["code"], "model_not_found")

    def test_wrong_type_400(self):
        cases = (("/v1/rerank", {"model": "loc-embed", "query": "q", "documents": ["a"]}),
                 ("/v1/classify", {"model": "loc-rerank", "input": "a"}),
                 ("/v1/embeddings", {"model": "loc-classify", "input": "a"}),
                 ("/v1/rerank", {"model": "oai-ok", "query": "q", "documents": ["a"]}))
        for path, body in cases:
            err = self.assertOpenAIError(self.post(path, body), 400)
            self.assertEqual(err["code"], "model_not_supported", err)
            self.assertEqual(err["param"], "model")
        r = self.client.post("/v1/chat/completions", self.openai_body("loc-embed"))
        self.assertOpenAIError(r, 400)

    def test_method_not_allowed(self):
        r = self.client.get("/v1/rerank")
        self.assertOpenAIError(r, 405)

    # --- against the engine itself --------------------------------------------------------------
    def test_values_match_engine(self):
        exe = engine_run_bin()
        if not exe:
            self.skipTest("no sy-engine-run built (set SY_ENGINE_RUN)")
        with tempfile.TemporaryDirectory() as d:
            def run(kind, task, payload):
                inp, out = os.path.join(d, "in.json"), os.path.join(d, "out.json")
                with open(inp, "w") as f:
                    json.dump(payload, f)
                subprocess.run([exe, "--model", MODELS[kind], "--task", task, "--input", inp, "--out", out,
                                "--threads", "1"], check=True, capture_output=True, timeout=60)
                with open(out) as f:
                    return json.load(f)
            ref = run("embed", "embed", {"texts": TEXTS})
            got = self.embed("loc-embed", TEXTS).json()
            self.assertEqual(got["usage"]["prompt_tokens"], ref["tokens"])
            for g, v in zip(got["data"], ref["vectors"]):
                for a, b in zip(g["embedding"], v):
                    self.assertAlmostEqual(a, b, places=5)
            ref = run("rerank", "score", {"query": "capital of France", "texts": DOCS})
            got = self.post("/v1/rerank", {"model": "loc-rerank", "query": "capital of France",
                                           "documents": DOCS}).json()
            by_index = {x["index"]: x["relevance_score"] for x in got["results"]}
            for i, s in enumerate(ref["scores"]):
                self.assertAlmostEqual(by_index[i], s, places=5)
            ref = run("classify", "classify", {"texts": TEXTS})
            got = self.post("/v1/classify", {"model": "loc-classify", "input": TEXTS}).json()
            for g, probs in zip(got["data"], ref["vectors"]):
                by_label = {x["label"]: x["score"] for x in g["labels"]}
                for name, p in zip(LABELS, probs):
                    self.assertAlmostEqual(by_label[name], p, places=5)


class LocalModelsLogTest(GatewayTestCase):
    """Usage and cost of local calls in the request log (read while the gateway runs: the log is
    flushed every flush_interval_ms, and WAL mode lets a reader in beside the writer)."""

    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok",))
        model = add_local(cfg)
        model("loc-embed", "embed", "embedding")
        model("loc-rerank", "rerank", "rerank")
        model("loc-classify", "classify", "classify")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.client
        cls.responses = {
            "lm-embed": c.post("/v1/embeddings", {"model": "loc-embed", "input": TEXTS},
                               headers={"x-request-id": "lm-embed"}),
            "lm-rerank": c.post("/v1/rerank", {"model": "loc-rerank", "query": "q", "documents": DOCS},
                                headers={"x-request-id": "lm-rerank"}),
            "lm-classify": c.post("/v1/classify", {"model": "loc-classify", "input": TEXTS},
                                  headers={"x-request-id": "lm-classify"}),
            "lm-bad": c.post("/v1/embeddings", {"model": "loc-embed", "input": [1, 2]},
                             headers={"x-request-id": "lm-bad"}),
        }
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if all(cls.row(rid) for rid in cls.responses):
                break
            time.sleep(0.1)

    @classmethod
    def row(cls, rid):
        try:
            return db_request(cls.db_path, rid)
        except sqlite3.OperationalError:   # not created yet
            return None

    def test_usage_and_cost_logged(self):
        for rid, endpoint in (("lm-embed", "/v1/embeddings"), ("lm-rerank", "/v1/rerank"),
                              ("lm-classify", "/v1/classify")):
            resp = self.responses[rid]
            self.assertEqual(resp.status, 200, resp)
            tokens = resp.json()["usage"]["prompt_tokens"]
            row = self.row(rid)
            self.assertIsNotNone(row, rid)
            self.assertEqual(row["endpoint"], endpoint)
            self.assertEqual(row["status"], 200)
            self.assertEqual(row["outcome"], "ok")
            self.assertEqual(row["provider"], "loc")
            self.assertEqual(row["input_tokens"], tokens)
            self.assertFalse(row["usage_estimated"])
            self.assertAlmostEqual(row["cost_usd"], tokens * 2.0 / 1e6, places=12)
            self.assertEqual(len(db_attempts(self.db_path, rid)), 1)
        self.assertIn("relevance_score", self.row("lm-rerank")["response_body"] or "")

    def test_refused_input_logged(self):
        row = self.row("lm-bad")
        self.assertIsNotNone(row)
        self.assertEqual(row["status"], 400)
        self.assertIn("token ids", row["error"])


class LocalModelsBackPressureTest(unittest.TestCase):
    """engine.queue_capacity: 1 and a slower model: concurrent requests overflow the queue."""

    def test_full_queue_answers_429_and_gateway_stays_healthy(self):
        with tempfile.TemporaryDirectory(prefix="sy-it-bp-") as tmp:
            cfg = Config(1, tmp)     # no fake upstream: only the local provider is used
            cfg.data["providers"] = {}
            cfg.data["server"]["max_body_bytes"] = 1 << 20
            model = add_local(cfg, {"threads": 1, "max_batch_tokens": 512, "queue_capacity": 1})
            model("big", "big", "embedding")
            gw = Gateway(cfg.write()).start()
            try:
                texts = ["word%d and some more words to make a long input %d " % (i, i) * 12 for i in range(16)]
                results = []
                lock = threading.Lock()

                def fire():
                    r = gw.client.post("/v1/embeddings", {"model": "big", "input": texts}, timeout=120)
                    with lock:
                        results.append(r)
                threads = [threading.Thread(target=fire) for _ in range(12)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(150)
                self.assertEqual(len(results), 12)
                statuses = sorted(r.status for r in results)
                self.assertIn(429, statuses, statuses)
                self.assertIn(200, statuses, statuses)
                self.assertTrue(set(statuses) <= {200, 429}, statuses)
                for r in results:
                    if r.status != 429:
                        continue
                    body = r.json()
                    self.assertEqual(set(body), {"error"})
                    err = body["error"]
                    self.assertEqual(err["type"], "rate_limit_error")
                    self.assertEqual(err["code"], "overloaded")
                    self.assertIn("local model big is busy", err["message"])
                    self.assertIn("queue of 1 requests is full", err["message"])
                # still healthy and serving
                self.assertEqual(gw.client.get("/healthz").status, 200)
                r = gw.client.post("/v1/embeddings", {"model": "big", "input": "after the storm"})
                self.assertEqual(r.status, 200, r)
            finally:
                gw.stop()


class LocalModelsStartupTest(unittest.TestCase):
    def test_bad_path_exits_1_naming_model_and_path(self):
        with tempfile.TemporaryDirectory(prefix="sy-it-bad-") as tmp:
            cfg = Config(1, tmp)
            cfg.data["providers"] = {}
            add_local(cfg)
            missing = os.path.join(tmp, "no-such-model")
            cfg.data["models"]["ghost"] = {"provider": "loc", "path": missing, "type": "embedding"}
            gw = Gateway(cfg.write())
            with self.assertRaises(RuntimeError) as ctx:
                gw.start(timeout=20)
            self.assertEqual(gw.proc.returncode, 1)
            msg = str(ctx.exception)
            self.assertIn("ghost", msg)
            self.assertIn(missing, msg)

    def test_rerank_type_needs_a_classifier(self):
        with tempfile.TemporaryDirectory(prefix="sy-it-bad-") as tmp:
            cfg = Config(1, tmp)
            cfg.data["providers"] = {}
            add_local(cfg)("wrong", "embed", "rerank")
            gw = Gateway(cfg.write())
            with self.assertRaises(RuntimeError) as ctx:
                gw.start(timeout=20)
            self.assertEqual(gw.proc.returncode, 1)
            self.assertIn("classification head", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
