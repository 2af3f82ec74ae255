"""Fallback along route chains: which failures move on, retries per step, Retry-After, the status
the client gets when everything failed, and streams falling back only before their first byte."""

import email.utils
import json
import time
import unittest

import fake_upstream as fu
from harness import GatewayTestCase, EXPECTED_COST


class FallbackTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok", "err-500", "err-429", "err-400", "malformed-json",
                             "reset-mid-stream", "truncated-stream", "stall-headers"))
        p = dict(cfg.data["providers"]["oai"])
        p["timeouts"] = {"connect_ms": 500, "first_byte_ms": 700, "idle_ms": 700,
                         "total_ms": 10000}
        cfg.data["providers"]["quick"] = p
        cfg.model("q-stall-headers", "quick", "stall-headers")
        cfg.model("dead-ok", "dead", "ok")
        for name in ("flaky-a", "flaky-b", "flaky-c", "ra-a", "ra-b", "sf-a"):
            cfg.model(name, "oai", name)
        cfg.route("fb-500", ["oai-err-500", "ant-ok"])
        cfg.route("fb-429", ["oai-err-429", "oai-ok"])
        cfg.route("fb-connect", ["dead-ok", "oai-ok"])
        cfg.route("fb-stall", ["q-stall-headers", "ant-ok"])
        cfg.route("fb-malformed", ["oai-malformed-json", "ant-ok"])
        cfg.route("fb-reset-body", ["oai-reset-mid-stream", "oai-ok"])
        cfg.route("fb-truncated-body", ["oai-truncated-stream", "ant-ok"])
        cfg.route("fb-400", ["oai-err-400", "oai-ok"])
        cfg.route("all-500", ["oai-err-500", "ant-err-500"])
        cfg.route("all-429", ["oai-err-429", "ant-err-429"])
        cfg.route("all-dead", ["dead-ok"])
        cfg.route("all-stall", ["q-stall-headers"])
        cfg.route("all-malformed", ["oai-malformed-json"])
        cfg.route("retry-a", [("flaky-a", 2)])
        cfg.route("retry-b", [("flaky-b", 1), "ant-ok"])
        cfg.route("retry-c", [("flaky-c", 1)])
        cfg.route("route-ra-a", [("ra-a", 1)])
        cfg.route("route-ra-b", [("ra-b", 1), "oai-ok"])
        cfg.route("sf-mid", ["oai-reset-mid-stream", "oai-ok"])
        cfg.route("route-sf-a", ["sf-a", "ant-ok"])
        for name in ("ra-date", "ra-date-past", "ra-date-far"):
            cfg.model(name, "oai", name)
        cfg.route("route-ra-date", [("ra-date", 1)])
        cfg.route("route-ra-date-past", [("ra-date-past", 1)])
        cfg.route("route-ra-date-far", [("ra-date-far", 1), "oai-ok"])

    def models_called(self):
        return [r["model"] for r in self.fake.requests()]

    def assertServed(self, r, model, provider, attempts):
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("x-switchyard-model"), model)
        self.assertEqual(r.headers.get("x-switchyard-provider"), provider)
        self.assertEqual(r.headers.get("x-switchyard-attempts"), str(attempts))

    # --- the request log -------------------------------------------------------------------------------
    def rid(self, suffix=""):
        return "fb-" + self._testMethodName + suffix

    def hdr(self, suffix=""):
        return {"x-request-id": self.rid(suffix)}

    def assertAttempts(self, attempts, want):
        """want: (target, provider, status, error_kind) per attempt, in order."""
        got = [(a["target"], a["provider"], a["status"], a["error_kind"]) for a in attempts]
        self.assertEqual(got, want, attempts)
        self.assertEqual([a["idx"] for a in attempts], sorted(a["idx"] for a in attempts))
        for a in attempts:
            self.assertGreaterEqual(a["latency_ms"], 0)
            if a["error_kind"]:
                self.assertTrue(a["error"], a)
            else:
                self.assertEqual(a["error"], "", a)

    def assertServedRow(self, rid, public, served, provider, stream=False):
        """An answered request's row: outcome ok, the fake's usage priced at the serving model."""
        row, attempts = self.logged(rid)
        self.assertEqual(row["public_model"], public)
        self.assertEqual((row["served_model"], row["provider"]), (served, provider))
        self.assertEqual((row["status"], row["outcome"], row["error"]), (200, "ok", ""))
        self.assertEqual(row["stream"], 1 if stream else 0)
        self.assertEqual((row["input_tokens"], row["output_tokens"], row["usage_estimated"]),
                         (fu.INPUT_TOKENS, fu.OUTPUT_TOKENS, 0))
        self.assertAlmostEqual(row["cost_usd"], EXPECTED_COST, places=12)
        self.assertEqual(row["bodies_dropped"], 0)
        self.assertEqual(json.loads(row["request_body"])["model"], public)
        body = json.loads(row["response_body"])   # streams too: reassembled, not SSE text
        if "choices" in body:
            self.assertEqual(body["choices"][0]["message"]["content"], fu.TEXT)
        else:
            self.assertEqual(body["content"], [{"type": "text", "text": fu.TEXT}])
        if stream:
            self.assertGreaterEqual(row["ttft_ms"], 0)
            self.assertLessEqual(row["ttft_ms"], row["latency_ms"])
        else:
            self.assertEqual(row["ttft_ms"], -1)
        return row, attempts

    def assertFailedRow(self, rid, public, status, stream=False):
        """A request no target could serve: upstream_error with the status the client got."""
        row, attempts = self.logged(rid)
        self.assertEqual(row["public_model"], public)
        self.assertEqual((row["status"], row["outcome"]), (status, "upstream_error"))
        self.assertEqual(row["stream"], 1 if stream else 0)
        self.assertEqual((row["served_model"], row["provider"]), ("", ""))
        self.assertTrue(row["error"])
        self.assertEqual((row["input_tokens"], row["output_tokens"], row["cost_usd"]), (0, 0, 0))
        self.assertEqual(json.loads(row["request_body"])["model"], public)   # kept for debugging
        self.assertEqual(row["response_body"], "")
        self.assertEqual(row["ttft_ms"], -1)
        return row, attempts

    # --- moving on -------------------------------------------------------------------------------------
    def test_500_falls_back(self):
        r = self.chat("fb-500", headers=self.hdr())
        self.assertServed(r, "ant-ok", "ant", 2)
        self.assertEqual(r.json()["choices"][0]["message"]["content"], fu.TEXT)
        self.assertEqual(self.models_called(), ["err-500", "ok"])
        row, att = self.assertServedRow(self.rid(), "fb-500", "ant-ok", "ant")
        self.assertAttempts(att, [("oai-err-500", "oai", 500, "http_status"),
                                  ("ant-ok", "ant", 200, "")])
        self.assertIn("fake upstream error 500", att[0]["error"])
        self.assertAlmostEqual(float(r.headers["x-switchyard-cost"]), row["cost_usd"], places=9)

    def test_500_falls_back_anthropic_door(self):
        r = self.messages("fb-500", headers=self.hdr())
        self.assertServed(r, "ant-ok", "ant", 2)
        self.assertEqual(r.json()["model"], "fb-500")
        row, att = self.assertServedRow(self.rid(), "fb-500", "ant-ok", "ant")
        self.assertEqual(row["endpoint"], "/v1/messages")
        self.assertAttempts(att, [("oai-err-500", "oai", 500, "http_status"),
                                  ("ant-ok", "ant", 200, "")])

    def test_429_falls_back(self):
        # Retry-After: 1, but the step has no retries left: the next target is tried at once.
        r = self.chat("fb-429", headers=self.hdr())
        self.assertServed(r, "oai-ok", "oai", 2)
        row, att = self.assertServedRow(self.rid(), "fb-429", "oai-ok", "oai")
        self.assertAttempts(att, [("oai-err-429", "oai", 429, "http_status"),
                                  ("oai-ok", "oai", 200, "")])
        self.assertIn("fake upstream error 429", att[0]["error"])
        self.assertLess(row["latency_ms"], 900, "waited for a Retry-After it did not need")

    def test_connect_refused_falls_back(self):
        r = self.chat("fb-connect", headers=self.hdr())
        self.assertServed(r, "oai-ok", "oai", 2)
        _, att = self.assertServedRow(self.rid(), "fb-connect", "oai-ok", "oai")
        self.assertAttempts(att, [("dead-ok", "dead", 0, "connect"), ("oai-ok", "oai", 200, "")])
        self.assertIn("127.0.0.1", att[0]["error"])

    def test_first_byte_timeout_falls_back(self):
        t0 = time.monotonic()
        r = self.chat("fb-stall", headers=self.hdr())
        took = time.monotonic() - t0
        self.assertServed(r, "ant-ok", "ant", 2)
        self.assertGreaterEqual(took, 0.6)
        self.assertLess(took, 5)
        row, att = self.assertServedRow(self.rid(), "fb-stall", "ant-ok", "ant")
        self.assertAttempts(att, [("q-stall-headers", "quick", 0, "timeout"),
                                  ("ant-ok", "ant", 200, "")])
        self.assertIn("timeout", att[0]["error"])
        self.assertGreaterEqual(att[0]["latency_ms"], 650)   # first_byte_ms: 700
        self.assertGreaterEqual(row["latency_ms"], att[0]["latency_ms"])

    def test_malformed_json_falls_back(self):
        r = self.chat("fb-malformed", headers=self.hdr())
        self.assertServed(r, "ant-ok", "ant", 2)
        _, att = self.assertServedRow(self.rid(), "fb-malformed", "ant-ok", "ant")
        self.assertAttempts(att, [("oai-malformed-json", "oai", 0, "malformed"),
                                  ("ant-ok", "ant", 200, "")])

    def test_reset_during_body_falls_back(self):
        r = self.chat("fb-reset-body", headers=self.hdr())
        self.assertServed(r, "oai-ok", "oai", 2)
        _, att = self.assertServedRow(self.rid(), "fb-reset-body", "oai-ok", "oai")
        self.assertAttempts(att, [("oai-reset-mid-stream", "oai", 0, "reset"),
                                  ("oai-ok", "oai", 200, "")])

    def test_truncated_body_falls_back(self):
        # The upstream closes before Content-Length bytes arrived: the connection broke.
        r = self.chat("fb-truncated-body", headers=self.hdr())
        self.assertServed(r, "ant-ok", "ant", 2)
        _, att = self.assertServedRow(self.rid(), "fb-truncated-body", "ant-ok", "ant")
        self.assertAttempts(att, [("oai-truncated-stream", "oai", 0, "reset"),
                                  ("ant-ok", "ant", 200, "")])

    def test_400_does_not_fall_back(self):
        r = self.chat("fb-400", headers=self.hdr())
        self.assertOpenAIError(r, 400)
        self.assertEqual(self.models_called(), ["err-400"])
        row, att = self.assertFailedRow(self.rid(), "fb-400", 400)
        self.assertAttempts(att, [("oai-err-400", "oai", 400, "http_status")])
        self.assertIn("fake upstream error 400", row["error"])

    # --- everything failed --------------------------------------------------------------------------------
    def test_all_500_returns_last_status(self):
        r = self.chat("all-500", headers=self.hdr())
        self.assertOpenAIError(r, 500)
        self.assertEqual(self.models_called(), ["err-500", "err-500"])
        r = self.messages("all-500")
        self.assertAnthropicError(r, 500, "api_error")
        row, att = self.assertFailedRow(self.rid(), "all-500", 500)
        self.assertAttempts(att, [("oai-err-500", "oai", 500, "http_status"),
                                  ("ant-err-500", "ant", 500, "http_status")])
        for target in ("oai-err-500", "ant-err-500"):   # the error names every try
            self.assertIn(target, row["error"])

    def test_all_429_returns_429(self):
        err = self.assertOpenAIError(self.chat("all-429", headers=self.hdr()), 429)
        self.assertEqual(err["type"], "rate_limit_error")
        self.assertAnthropicError(self.messages("all-429"), 429, "rate_limit_error")
        _, att = self.assertFailedRow(self.rid(), "all-429", 429)
        self.assertAttempts(att, [("oai-err-429", "oai", 429, "http_status"),
                                  ("ant-err-429", "ant", 429, "http_status")])

    def test_all_connect_refused_is_502(self):
        self.assertOpenAIError(self.chat("all-dead", headers=self.hdr()), 502)
        self.assertAnthropicError(self.messages("all-dead"), 502)
        _, att = self.assertFailedRow(self.rid(), "all-dead", 502)
        self.assertAttempts(att, [("dead-ok", "dead", 0, "connect")])

    def test_all_timeout_is_504(self):
        self.assertOpenAIError(self.chat("all-stall", headers=self.hdr()), 504)
        row, att = self.assertFailedRow(self.rid(), "all-stall", 504)
        self.assertAttempts(att, [("q-stall-headers", "quick", 0, "timeout")])
        self.assertGreaterEqual(row["latency_ms"], 650)

    def test_all_malformed_is_502(self):
        self.assertOpenAIError(self.chat("all-malformed", headers=self.hdr()), 502)
        _, att = self.assertFailedRow(self.rid(), "all-malformed", 502)
        self.assertAttempts(att, [("oai-malformed-json", "oai", 0, "malformed")])

    def test_all_failed_stream_gets_error_status_not_sse(self):
        sse = self.chat("all-500", stream=True, headers=self.hdr())
        self.assertEqual(sse.status, 500)
        self.assertEqual(sse.events, [])
        self.assertIn("error", sse.body.decode())
        _, att = self.assertFailedRow(self.rid(), "all-500", 500, stream=True)
        self.assertAttempts(att, [("oai-err-500", "oai", 500, "http_status"),
                                  ("ant-err-500", "ant", 500, "http_status")])

    # --- retries per step -----------------------------------------------------------------------------------
    def test_retries_on_same_step(self):
        self.fake.script("flaky-a", ["err-500", "err-503"])
        r = self.chat("retry-a", headers=self.hdr())
        self.assertServed(r, "flaky-a", "oai", 3)
        self.assertEqual(self.models_called(), ["flaky-a"] * 3)
        _, att = self.assertServedRow(self.rid(), "retry-a", "flaky-a", "oai")
        self.assertAttempts(att, [("flaky-a", "oai", 500, "http_status"),
                                  ("flaky-a", "oai", 503, "http_status"),
                                  ("flaky-a", "oai", 200, "")])

    def test_retries_exhausted_then_next_step(self):
        self.fake.script("flaky-b", ["err-500", "err-500", "err-500"])
        r = self.chat("retry-b", headers=self.hdr())
        self.assertServed(r, "ant-ok", "ant", 3)
        self.assertEqual(self.models_called(), ["flaky-b", "flaky-b", "ok"])
        _, att = self.assertServedRow(self.rid(), "retry-b", "ant-ok", "ant")
        self.assertAttempts(att, [("flaky-b", "oai", 500, "http_status"),
                                  ("flaky-b", "oai", 500, "http_status"),
                                  ("ant-ok", "ant", 200, "")])

    def test_retries_exhausted_last_step_fails(self):
        self.fake.script("flaky-c", ["err-502", "err-503", "ok"])
        r = self.chat("retry-c", headers=self.hdr())
        self.assertOpenAIError(r, 503)
        self.assertEqual(self.models_called(), ["flaky-c", "flaky-c"])
        _, att = self.assertFailedRow(self.rid(), "retry-c", 503)
        self.assertAttempts(att, [("flaky-c", "oai", 502, "http_status"),
                                  ("flaky-c", "oai", 503, "http_status")])

    def test_retry_after_is_honoured(self):
        self.fake.script("ra-a", ["err-429@1", "ok"])
        r = self.chat("route-ra-a", headers=self.hdr())
        self.assertServed(r, "ra-a", "oai", 2)
        reqs = self.fake.requests(model="ra-a")
        self.assertEqual(len(reqs), 2)
        gap = reqs[1]["t"] - reqs[0]["t"]
        self.assertGreaterEqual(gap, 0.95, "retried %.3fs after Retry-After: 1" % gap)
        self.assertLess(gap, 3.0)
        row, att = self.assertServedRow(self.rid(), "route-ra-a", "ra-a", "oai")
        self.assertAttempts(att, [("ra-a", "oai", 429, "http_status"), ("ra-a", "oai", 200, "")])
        self.assertGreaterEqual(row["latency_ms"], 950)   # the wait is part of the request

    def test_long_retry_after_moves_on_instead_of_waiting(self):
        self.fake.script("ra-b", ["err-429@30"])
        t0 = time.monotonic()
        r = self.chat("route-ra-b", headers=self.hdr())
        took = time.monotonic() - t0
        self.assertServed(r, "oai-ok", "oai", 2)
        self.assertLess(took, 4.0)
        self.assertEqual(self.models_called(), ["ra-b", "ok"])
        _, att = self.assertServedRow(self.rid(), "route-ra-b", "oai-ok", "oai")
        self.assertAttempts(att, [("ra-b", "oai", 429, "http_status"), ("oai-ok", "oai", 200, "")])

    # --- Retry-After as an HTTP-date (RFC 9110 section 10.2.3) -------------------------------------------
    @staticmethod
    def http_date(seconds_from_now):
        return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)

    def test_retry_after_http_date_is_honoured(self):
        # Three seconds ahead at whole-second precision: the wait is 2-3 s (a second less if the
        # request reaches the gateway a second late on a busy machine).
        date = self.http_date(3)
        self.fake.script("ra-date", ["err-429@" + date, "ok"])
        r = self.chat("route-ra-date", headers=self.hdr())
        self.assertServed(r, "ra-date", "oai", 2)
        reqs = self.fake.requests(model="ra-date")
        self.assertEqual([q["behaviour"] for q in reqs], ["err-429@" + date, "ok"])
        gap = reqs[1]["t"] - reqs[0]["t"]
        self.assertGreaterEqual(gap, 1.5, "retried %.3fs after Retry-After: %s" % (gap, date))
        self.assertLess(gap, 4.5)
        row, att = self.assertServedRow(self.rid(), "route-ra-date", "ra-date", "oai")
        self.assertAttempts(att, [("ra-date", "oai", 429, "http_status"),
                                  ("ra-date", "oai", 200, "")])
        self.assertGreaterEqual(row["latency_ms"], 1500)

    def test_retry_after_http_date_in_the_past_retries_without_waiting(self):
        self.fake.script("ra-date-past", ["err-429@" + self.http_date(-60), "ok"])
        r = self.chat("route-ra-date-past")
        self.assertServed(r, "ra-date-past", "oai", 2)
        reqs = self.fake.requests(model="ra-date-past")
        self.assertEqual(len(reqs), 2)
        self.assertLess(reqs[1]["t"] - reqs[0]["t"], 0.5)

    def test_retry_after_http_date_beyond_cap_moves_on(self):
        # max_retry_after_ms is 5000 in the harness config: 30 s ahead is not worth waiting for.
        self.fake.script("ra-date-far", ["err-429@" + self.http_date(30)])
        t0 = time.monotonic()
        r = self.chat("route-ra-date-far")
        self.assertServed(r, "oai-ok", "oai", 2)
        self.assertLess(time.monotonic() - t0, 4.0)
        self.assertEqual(self.models_called(), ["ra-date-far", "ok"])

    # --- streams ------------------------------------------------------------------------------------------
    def test_stream_falls_back_before_first_byte(self):
        first = {"fb-500": ("oai-err-500", "oai", 500, "http_status"),
                 "fb-connect": ("dead-ok", "dead", 0, "connect"),
                 "fb-stall": ("q-stall-headers", "quick", 0, "timeout"),
                 "fb-malformed": ("oai-malformed-json", "oai", 0, "malformed")}
        for model, served in (("fb-500", "ant-ok"), ("fb-connect", "oai-ok"),
                              ("fb-stall", "ant-ok"), ("fb-malformed", "ant-ok")):
            with self.subTest(model=model):
                sse = self.chat(model, stream=True, headers=self.hdr("-" + model))
                self.assertEqual(sse.status, 200, sse.body)
                self.assertEqual(sse.headers.get("x-switchyard-model"), served)
                self.assertEqual(sse.events[-1][1], "[DONE]")
                text = "".join((ev["choices"][0]["delta"].get("content") or "")
                               for _, ev in sse.json_events() if ev.get("choices"))
                self.assertEqual(text, fu.TEXT)
                self.assertFalse(any("error" in ev for _, ev in sse.json_events()))
                provider = served.split("-")[0]
                row, att = self.assertServedRow(self.rid("-" + model), model, served, provider,
                                                stream=True)
                self.assertAttempts(att, [first[model], (served, provider, 200, "")])
                body = json.loads(row["response_body"])
                self.assertEqual(body["object"], "chat.completion")
                self.assertEqual(body["choices"][0]["finish_reason"], "stop")

    def test_stream_falls_back_anthropic_door(self):
        sse = self.messages("fb-500", stream=True, headers=self.hdr())
        self.assertEqual(sse.status, 200, sse.body)
        self.assertEqual(sse.headers.get("x-switchyard-model"), "ant-ok")
        self.assertEqual([n for n in sse.names() if n != "ping"][-1], "message_stop")
        row, att = self.assertServedRow(self.rid(), "fb-500", "ant-ok", "ant", stream=True)
        self.assertAttempts(att, [("oai-err-500", "oai", 500, "http_status"),
                                  ("ant-ok", "ant", 200, "")])
        self.assertEqual(json.loads(row["response_body"])["stop_reason"], "end_turn")

    def test_stream_retries_before_first_byte(self):
        self.fake.script("sf-a", ["err-500"])
        sse = self.messages("route-sf-a", stream=True, headers=self.hdr())
        self.assertEqual(sse.status, 200, sse.body)
        self.assertEqual(sse.headers.get("x-switchyard-model"), "ant-ok")
        _, att = self.assertServedRow(self.rid(), "route-sf-a", "ant-ok", "ant", stream=True)
        self.assertAttempts(att, [("sf-a", "oai", 500, "http_status"), ("ant-ok", "ant", 200, "")])

    def test_stream_does_not_fall_back_after_first_byte(self):
        sse = self.chat("sf-mid", stream=True, headers=self.hdr())
        self.assertEqual(sse.status, 200)
        self.assertTrue(any(isinstance(ev, dict) and "error" in ev
                            for _, ev in sse.json_events()), sse.raw)
        self.assertEqual(self.models_called(), ["reset-mid-stream"])
        client_text = "".join((ev["choices"][0]["delta"].get("content") or "")
                              for _, ev in sse.json_events()
                              if isinstance(ev, dict) and ev.get("choices"))
        self.assertTrue(client_text)
        row, att = self.logged(self.rid())
        # The client got a 200 and part of an answer: the row says so, and what failed.
        self.assertEqual((row["status"], row["outcome"], row["stream"]), (200, "stream_error", 1))
        self.assertEqual((row["served_model"], row["provider"]), ("oai-reset-mid-stream", "oai"))
        self.assertIn("reset", row["error"])
        self.assertAttempts(att, [("oai-reset-mid-stream", "oai", 200, "reset")])
        self.assertEqual(att[0]["error"], row["error"])
        body = json.loads(row["response_body"])   # what the client received, reassembled
        self.assertEqual(body["choices"][0]["message"]["content"], client_text)
        self.assertIsNone(body["choices"][0]["finish_reason"])


if __name__ == "__main__":
    unittest.main()
