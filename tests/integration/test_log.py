"""The SQLite request log: one `requests` row per request (usage, cost = tokens x configured price,
bodies with streams reassembled, outcome) and one `attempts` row per upstream try. The log is
written asynchronously and flushed on graceful shutdown, so the class sends its requests, SIGTERMs
the gateway, then reads the database. Also `switchyard logs`."""

import json
import time
import unittest

import fake_upstream as fu
from harness import Gateway, GatewayTestCase, EXPECTED_COST, db_rows, db_request, db_attempts, run_cli

PRICE_IN_B, PRICE_OUT_B = 0.5, 4.0


class LogTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok", "err-500", "no-usage", "reset-mid-stream", "tools"))
        cfg.model("priced-b", "ant", "ok", price=(PRICE_IN_B, PRICE_OUT_B))
        cfg.route("fb-500", ["oai-err-500", "priced-b"])

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls
        H = cls.OPENAI_HEADERS
        A = cls.ANTHROPIC_HEADERS
        cls.responses = {}

        cls.setup_problems = []

        def send(rid, fn):
            try:
                cls.responses[rid] = fn({"x-request-id": rid})
            except OSError as e:
                cls.responses[rid] = e
            time.sleep(0.05)
            if cls.gateway.proc.poll() is not None:
                # Keep going (same log file) so one gateway bug does not hide the others.
                code, err = cls.gateway.returncode_and_stderr()
                cls.setup_problems.append("gateway died (exit %s) after %s" % (code, rid))
                cls.gateway = Gateway(cls.config_path).start()
                cls.client = cls.gateway.client

        send("log-chat", lambda h: c.client.post(
            "/v1/chat/completions", c.openai_body("oai-ok", user="alice"), headers={**H, **h}))
        send("log-stream-oai-door", lambda h: c.client.stream(
            "/v1/chat/completions", c.openai_body("ant-ok", stream=True), headers={**H, **h}))
        send("log-stream-ant-door", lambda h: c.client.stream(
            "/v1/messages", c.anthropic_body("oai-ok", stream=True,
                                             metadata={"user_id": "bob"}), headers={**A, **h}))
        send("log-stream-tools", lambda h: c.client.stream(
            "/v1/chat/completions", c.openai_body("ant-tools", stream=True), headers={**H, **h}))
        send("log-fallback", lambda h: c.client.post(
            "/v1/chat/completions", c.openai_body("fb-500"), headers={**H, **h}))
        send("log-no-usage", lambda h: c.client.post(
            "/v1/messages", c.anthropic_body("oai-no-usage"), headers={**A, **h}))
        send("log-upstream-500", lambda h: c.client.post(
            "/v1/chat/completions", c.openai_body("oai-err-500"), headers={**H, **h}))
        send("log-mid-stream", lambda h: c.client.stream(
            "/v1/messages", c.anthropic_body("ant-reset-mid-stream", stream=True),
            headers={**A, **h}))
        send("log-embed", lambda h: c.client.post(
            "/v1/embeddings", {"model": "oai-embed", "input": ["a", "b", "c"]},
            headers={**H, **h}))
        # No x-request-id: the gateway makes one (time-ordered; `switchyard logs --id` finds it).
        cls.generated = c.client.post("/v1/chat/completions", c.openai_body("oai-ok"), headers=H)
        time.sleep(0.4)   # past flush_interval: earlier rows reach the file even if the next one crashes
        send("log-unknown-model", lambda h: c.client.post(
            "/v1/chat/completions", c.openai_body("no-such-model"), headers={**H, **h}))
        cls.exit_code, cls.stderr_text = cls.gateway.stop()
        cls.gateway = None

    def row(self, rid):
        r = db_request(self.db_path, rid)
        self.assertIsNotNone(r, "no requests row for %s" % rid)
        return r

    def test_graceful_stop_exit_0(self):
        self.assertEqual(self.exit_code, 0, self.stderr_text)

    def test_gateway_survived_the_requests(self):
        self.assertEqual(self.setup_problems, [])

    def test_one_row_per_request(self):
        ids = [r["id"] for r in db_rows(self.db_path, "requests")]
        for rid in self.responses:
            self.assertEqual(ids.count(rid), 1, rid)

    def test_non_streaming_row(self):
        r = self.row("log-chat")
        self.assertEqual(r["endpoint"], "/v1/chat/completions")
        self.assertEqual(r["public_model"], "oai-ok")
        self.assertEqual(r["served_model"], "oai-ok")
        self.assertEqual(r["provider"], "oai")
        self.assertEqual(r["stream"], 0)
        self.assertEqual(r["status"], 200)
        self.assertEqual(r["outcome"], "ok")
        self.assertEqual(r["user"], "alice")
        self.assertEqual(r["input_tokens"], fu.INPUT_TOKENS)
        self.assertEqual(r["output_tokens"], fu.OUTPUT_TOKENS)
        self.assertEqual(r["usage_estimated"], 0)
        self.assertAlmostEqual(r["cost_usd"], EXPECTED_COST, places=12)
        self.assertGreater(r["latency_ms"], 0)
        self.assertGreaterEqual(r["ts_unix_ms"], 1_600_000_000_000)
        self.assertEqual(json.loads(r["request_body"])["messages"],
                         [{"role": "user", "content": "Say hello."}])
        resp = json.loads(r["response_body"])
        self.assertEqual(resp["choices"][0]["message"]["content"], fu.TEXT)
        self.assertTrue(r["client_key_hash"])
        self.assertNotIn("client-key", r["client_key_hash"])
        self.assertFalse(r["error"])
        header_cost = float(self.responses["log-chat"].headers["x-switchyard-cost"])
        self.assertAlmostEqual(header_cost, r["cost_usd"], places=9)

    def test_stream_row_openai_door_reassembled(self):
        r = self.row("log-stream-oai-door")
        self.assertEqual(r["stream"], 1)
        self.assertEqual(r["status"], 200)
        self.assertEqual(r["outcome"], "ok")
        self.assertEqual(r["served_model"], "ant-ok")
        self.assertEqual(r["provider"], "ant")
        self.assertEqual(r["input_tokens"], fu.INPUT_TOKENS)
        self.assertEqual(r["output_tokens"], fu.OUTPUT_TOKENS)
        self.assertAlmostEqual(r["cost_usd"], EXPECTED_COST, places=12)
        self.assertGreaterEqual(r["ttft_ms"], 0)
        self.assertLessEqual(r["ttft_ms"], r["latency_ms"])
        resp = json.loads(r["response_body"])   # the non-streaming shape, not SSE text
        self.assertEqual(resp["object"], "chat.completion")
        self.assertEqual(resp["choices"][0]["message"]["content"], fu.TEXT)
        self.assertEqual(resp["choices"][0]["finish_reason"], "stop")

    def test_stream_row_anthropic_door_reassembled(self):
        r = self.row("log-stream-ant-door")
        self.assertEqual(r["endpoint"], "/v1/messages")
        self.assertEqual(r["stream"], 1)
        self.assertEqual(r["user"], "bob")
        self.assertEqual(r["input_tokens"], fu.INPUT_TOKENS)
        self.assertEqual(r["output_tokens"], fu.OUTPUT_TOKENS)
        resp = json.loads(r["response_body"])
        self.assertEqual(resp["type"], "message")
        self.assertEqual(resp["content"], [{"type": "text", "text": fu.TEXT}])
        self.assertEqual(resp["stop_reason"], "end_turn")

    def test_stream_row_tool_call_reassembled(self):
        r = self.row("log-stream-tools")
        resp = json.loads(r["response_body"])
        calls = resp["choices"][0]["message"]["tool_calls"]
        self.assertEqual(calls[0]["function"]["name"], "get_weather")
        self.assertEqual(json.loads(calls[0]["function"]["arguments"]), fu.TOOL_ARGS)
        self.assertEqual(resp["choices"][0]["finish_reason"], "tool_calls")

    def test_fallback_attempts(self):
        r = self.row("log-fallback")
        self.assertEqual(r["public_model"], "fb-500")
        self.assertEqual(r["served_model"], "priced-b")
        self.assertEqual(r["provider"], "ant")
        # Cost is priced at the model that served.
        want = (fu.INPUT_TOKENS * PRICE_IN_B + fu.OUTPUT_TOKENS * PRICE_OUT_B) / 1e6
        self.assertAlmostEqual(r["cost_usd"], want, places=12)
        att = db_attempts(self.db_path, "log-fallback")
        self.assertEqual(len(att), 2, att)
        self.assertLess(att[0]["idx"], att[1]["idx"])
        self.assertEqual((att[0]["target"], att[0]["provider"], att[0]["status"]),
                         ("oai-err-500", "oai", 500))
        self.assertTrue(att[0]["error_kind"])
        self.assertIn("fake upstream error 500", att[0]["error"])
        self.assertEqual((att[1]["target"], att[1]["provider"], att[1]["status"]),
                         ("priced-b", "ant", 200))
        self.assertFalse(att[1]["error_kind"])
        for a in att:
            self.assertGreaterEqual(a["latency_ms"], 0)

    def test_single_attempt_row(self):
        att = db_attempts(self.db_path, "log-chat")
        self.assertEqual(len(att), 1)
        self.assertEqual(att[0]["target"], "oai-ok")
        self.assertEqual(att[0]["status"], 200)

    def test_missing_usage_is_estimated(self):
        r = self.row("log-no-usage")
        self.assertEqual(r["status"], 200)
        self.assertEqual(r["usage_estimated"], 1)
        self.assertGreater(r["input_tokens"], 0)
        self.assertGreater(r["output_tokens"], 0)
        # The client is told that the cost header comes from an estimate.
        resp = self.responses["log-no-usage"]
        self.assertEqual(resp.headers.get("x-switchyard-usage-estimated"), "true")
        self.assertAlmostEqual(float(resp.headers.get("x-switchyard-cost")), r["cost_usd"], places=7)
        self.assertIsNone(self.responses["log-chat"].headers.get("x-switchyard-usage-estimated"))

    def test_unknown_model_row(self):
        r = self.row("log-unknown-model")
        self.assertIn(r["status"], (400, 404))
        self.assertEqual(r["outcome"], "client_error")
        self.assertEqual(r["public_model"], "no-such-model")
        self.assertFalse(r["served_model"])
        self.assertTrue(r["error"])
        self.assertEqual(r["cost_usd"], 0)
        self.assertEqual(db_attempts(self.db_path, "log-unknown-model"), [])

    def test_upstream_failure_row(self):
        r = self.row("log-upstream-500")
        self.assertEqual(r["status"], 500)
        self.assertEqual(r["outcome"], "upstream_error")
        self.assertTrue(r["error"])
        att = db_attempts(self.db_path, "log-upstream-500")
        self.assertEqual([a["status"] for a in att], [500])

    def test_mid_stream_failure_row(self):
        r = self.row("log-mid-stream")
        self.assertEqual(r["stream"], 1)
        self.assertEqual(r["outcome"], "stream_error")
        self.assertTrue(r["error"])

    def test_embeddings_row(self):
        r = self.row("log-embed")
        self.assertEqual(r["endpoint"], "/v1/embeddings")
        self.assertEqual(r["input_tokens"], 3 * fu.EMBED_TOKENS_PER_INPUT)
        self.assertEqual(r["output_tokens"], 0)
        self.assertAlmostEqual(r["cost_usd"], 3 * fu.EMBED_TOKENS_PER_INPUT * 0.1 / 1e6, places=12)

    def test_logs_command_json(self):
        p = run_cli("logs", "--db", self.db_path, "-n", "3", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [l for l in p.stdout.splitlines() if l.strip()]
        self.assertEqual(len(lines), 3, p.stdout)
        recs = [json.loads(l) for l in lines]
        newest = sorted(db_rows(self.db_path, "requests"), key=lambda r: r["seq"])[-1]
        self.assertEqual(recs[0]["id"], newest["id"], "newest first")
        for rec in recs:
            self.assertIn("public_model", rec)
            self.assertIn("status", rec)

    def test_logs_command_by_id(self):
        gen = self.generated.headers["x-request-id"]
        self.assertRegex(gen, r"^req_[0-9a-f]{24}$")
        for rid in (gen, "log-fallback"):
            p = run_cli("logs", "--db", self.db_path, "--id", rid, "--json")
            self.assertEqual(p.returncode, 0, p.stderr)
            recs = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
            self.assertEqual([r["id"] for r in recs], [rid], p.stdout)
        self.assertEqual(len(recs[0]["attempts"]), 2)   # log-fallback: 500, then the next target
        p = run_cli("logs", "--db", self.db_path, "--id", "never-sent")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no record with id 'never-sent'", p.stderr)
        # An empty id (an unset shell variable) is a usage error, not "list everything".
        p = run_cli("logs", "--db", self.db_path, "--id", "")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--id needs a request id", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_logs_command_text(self):
        p = run_cli("logs", "--db", self.db_path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("log-embed", p.stdout)
        self.assertIn("log-chat", p.stdout)


if __name__ == "__main__":
    unittest.main()
