"""Fallback along route chains: which failures move on, retries per step, Retry-After, the status
the client gets when everything failed, and streams falling back only before their first byte."""

import time
import unittest

import fake_upstream as fu
from harness import GatewayTestCase


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

    def models_called(self):
        return [r["model"] for r in self.fake.requests()]

    def assertServed(self, r, model, provider, attempts):
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("x-switchyard-model"), model)
        self.assertEqual(r.headers.get("x-switchyard-provider"), provider)
        self.assertEqual(r.headers.get("x-switchyard-attempts"), str(attempts))

    # --- moving on -------------------------------------------------------------------------------------
    def test_500_falls_back(self):
        r = self.chat("fb-500")
        self.assertServed(r, "ant-ok", "ant", 2)
        self.assertEqual(r.json()["choices"][0]["message"]["content"], fu.TEXT)
        self.assertEqual(self.models_called(), ["err-500", "ok"])

    def test_500_falls_back_anthropic_door(self):
        r = self.messages("fb-500")
        self.assertServed(r, "ant-ok", "ant", 2)
        self.assertEqual(r.json()["model"], "fb-500")

    def test_429_falls_back(self):
        r = self.chat("fb-429")
        self.assertServed(r, "oai-ok", "oai", 2)

    def test_connect_refused_falls_back(self):
        r = self.chat("fb-connect")
        self.assertServed(r, "oai-ok", "oai", 2)

    def test_first_byte_timeout_falls_back(self):
        t0 = time.monotonic()
        r = self.chat("fb-stall")
        took = time.monotonic() - t0
        self.assertServed(r, "ant-ok", "ant", 2)
        self.assertGreaterEqual(took, 0.6)
        self.assertLess(took, 5)

    def test_malformed_json_falls_back(self):
        r = self.chat("fb-malformed")
        self.assertServed(r, "ant-ok", "ant", 2)

    def test_reset_during_body_falls_back(self):
        r = self.chat("fb-reset-body")
        self.assertServed(r, "oai-ok", "oai", 2)

    def test_truncated_body_falls_back(self):
        r = self.chat("fb-truncated-body")
        self.assertServed(r, "ant-ok", "ant", 2)

    def test_400_does_not_fall_back(self):
        r = self.chat("fb-400")
        self.assertOpenAIError(r, 400)
        self.assertEqual(self.models_called(), ["err-400"])

    # --- everything failed --------------------------------------------------------------------------------
    def test_all_500_returns_last_status(self):
        r = self.chat("all-500")
        self.assertOpenAIError(r, 500)
        self.assertEqual(self.models_called(), ["err-500", "err-500"])
        r = self.messages("all-500")
        self.assertAnthropicError(r, 500, "api_error")

    def test_all_429_returns_429(self):
        err = self.assertOpenAIError(self.chat("all-429"), 429)
        self.assertEqual(err["type"], "rate_limit_error")
        self.assertAnthropicError(self.messages("all-429"), 429, "rate_limit_error")

    def test_all_connect_refused_is_502(self):
        self.assertOpenAIError(self.chat("all-dead"), 502)
        self.assertAnthropicError(self.messages("all-dead"), 502)

    def test_all_timeout_is_504(self):
        self.assertOpenAIError(self.chat("all-stall"), 504)

    def test_all_malformed_is_502(self):
        self.assertOpenAIError(self.chat("all-malformed"), 502)

    def test_all_failed_stream_gets_error_status_not_sse(self):
        sse = self.chat("all-500", stream=True)
        self.assertEqual(sse.status, 500)
        self.assertEqual(sse.events, [])
        self.assertIn("error", sse.body.decode())

    # --- retries per step -----------------------------------------------------------------------------------
    def test_retries_on_same_step(self):
        self.fake.script("flaky-a", ["err-500", "err-503"])
        r = self.chat("retry-a")
        self.assertServed(r, "flaky-a", "oai", 3)
        self.assertEqual(self.models_called(), ["flaky-a"] * 3)

    def test_retries_exhausted_then_next_step(self):
        self.fake.script("flaky-b", ["err-500", "err-500", "err-500"])
        r = self.chat("retry-b")
        self.assertServed(r, "ant-ok", "ant", 3)
        self.assertEqual(self.models_called(), ["flaky-b", "flaky-b", "ok"])

    def test_retries_exhausted_last_step_fails(self):
        self.fake.script("flaky-c", ["err-502", "err-503", "ok"])
        r = self.chat("retry-c")
        self.assertOpenAIError(r, 503)
        self.assertEqual(self.models_called(), ["flaky-c", "flaky-c"])

    def test_retry_after_is_honoured(self):
        self.fake.script("ra-a", ["err-429@1", "ok"])
        r = self.chat("route-ra-a")
        self.assertServed(r, "ra-a", "oai", 2)
        reqs = self.fake.requests(model="ra-a")
        self.assertEqual(len(reqs), 2)
        gap = reqs[1]["t"] - reqs[0]["t"]
        self.assertGreaterEqual(gap, 0.95, "retried %.3fs after Retry-After: 1" % gap)
        self.assertLess(gap, 3.0)

    def test_long_retry_after_moves_on_instead_of_waiting(self):
        self.fake.script("ra-b", ["err-429@30"])
        t0 = time.monotonic()
        r = self.chat("route-ra-b")
        took = time.monotonic() - t0
        self.assertServed(r, "oai-ok", "oai", 2)
        self.assertLess(took, 4.0)
        self.assertEqual(self.models_called(), ["ra-b", "ok"])

    # --- streams ------------------------------------------------------------------------------------------
    def test_stream_falls_back_before_first_byte(self):
        for model, served in (("fb-500", "ant-ok"), ("fb-connect", "oai-ok"),
                              ("fb-stall", "ant-ok"), ("fb-malformed", "ant-ok")):
            with self.subTest(model=model):
                sse = self.chat(model, stream=True)
                self.assertEqual(sse.status, 200, sse.body)
                self.assertEqual(sse.headers.get("x-switchyard-model"), served)
                self.assertEqual(sse.events[-1][1], "[DONE]")
                text = "".join((ev["choices"][0]["delta"].get("content") or "")
                               for _, ev in sse.json_events() if ev.get("choices"))
                self.assertEqual(text, fu.TEXT)
                self.assertFalse(any("error" in ev for _, ev in sse.json_events()))

    def test_stream_falls_back_anthropic_door(self):
        sse = self.messages("fb-500", stream=True)
        self.assertEqual(sse.status, 200, sse.body)
        self.assertEqual(sse.headers.get("x-switchyard-model"), "ant-ok")
        self.assertEqual([n for n in sse.names() if n != "ping"][-1], "message_stop")

    def test_stream_retries_before_first_byte(self):
        self.fake.script("sf-a", ["err-500"])
        sse = self.messages("route-sf-a", stream=True)
        self.assertEqual(sse.status, 200, sse.body)
        self.assertEqual(sse.headers.get("x-switchyard-model"), "ant-ok")

    def test_stream_does_not_fall_back_after_first_byte(self):
        sse = self.chat("sf-mid", stream=True)
        self.assertEqual(sse.status, 200)
        self.assertTrue(any(isinstance(ev, dict) and "error" in ev
                            for _, ev in sse.json_events()), sse.raw)
        self.assertEqual(self.models_called(), ["reset-mid-stream"])


if __name__ == "__main__":
    unittest.main()
