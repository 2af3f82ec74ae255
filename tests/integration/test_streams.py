"""Streams that fail after their first byte reached the client: the client's stream must end with
an error event in its API's shape (OpenAI: a `data: {"error": ...}` frame; Anthropic:
`event: error`), never a silent truncation and never a fake clean ending. The request log must say
the same: outcome `stream_error`, the failed attempt's error kind, and what the client received
reassembled into the non-streaming shape (with no finish reason), usage and cost included."""

import json
import unittest

import fake_upstream as fu
from harness import GatewayTestCase, PRICE_IN, PRICE_OUT

BOTH_KINDS = ("oai", "ant")


class MidStreamTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok", "reset-mid-stream", "truncated-stream", "error-event",
                             "malformed-mid-stream", "stall-mid-stream"))
        p = dict(cfg.data["providers"]["oai"])
        p["timeouts"] = {"connect_ms": 500, "first_byte_ms": 2000, "idle_ms": 700,
                         "total_ms": 10000}
        cfg.data["providers"]["quick"] = p
        cfg.model("q-stall-mid-stream", "quick", "stall-mid-stream")
        pa = dict(cfg.data["providers"]["ant"])
        pa["timeouts"] = dict(p["timeouts"])
        cfg.data["providers"]["quick-ant"] = pa
        cfg.model("qa-stall-mid-stream", "quick-ant", "stall-mid-stream")

    # --- the two shapes of "ended with an error" ---------------------------------------------------------
    def assertOpenAIStreamError(self, sse):
        self.assertEqual(sse.status, 200, sse.body)
        self.assertIsNone(sse.transport_error, "connection dropped instead of an error frame")
        evs = sse.json_events()
        text = "".join((ev["choices"][0]["delta"].get("content") or "")
                       for _, ev in evs if isinstance(ev, dict) and ev.get("choices"))
        errors = [i for i, (_, ev) in enumerate(evs) if isinstance(ev, dict) and "error" in ev]
        self.assertEqual(len(errors), 1, sse.raw)
        err = evs[errors[0]][1]["error"]
        self.assertIsInstance(err.get("message"), str)
        self.assertTrue(err["message"])
        self.assertIn("type", err)
        # Nothing but an optional [DONE] after the error frame, and no clean finish before it.
        tail = [d for _, d in sse.events][errors[0] + 1:]
        self.assertIn(tail, ([], ["[DONE]"]), sse.raw)
        finishes = [c.get("finish_reason") for _, ev in evs if isinstance(ev, dict)
                    for c in ev.get("choices", []) if c.get("finish_reason")]
        self.assertEqual(finishes, [], "a failed stream must not claim a clean finish")
        return text

    def assertAnthropicStreamError(self, sse):
        self.assertEqual(sse.status, 200, sse.body)
        self.assertIsNone(sse.transport_error, "connection dropped instead of an error event")
        names = sse.names()
        self.assertIn("message_start", names)
        self.assertEqual(names.count("error"), 1, sse.raw)
        self.assertEqual(names[-1], "error", "error must be the last event")
        self.assertNotIn("message_stop", names)
        ev = dict(sse.json_events())["error"]
        self.assertEqual(ev["type"], "error")
        self.assertIsInstance(ev["error"]["type"], str)
        self.assertTrue(ev["error"]["message"])
        return "".join(ev["delta"].get("text", "") for n, ev in sse.json_events()
                       if n == "content_block_delta")

    # --- the request log ------------------------------------------------------------------------------
    def rid(self, *parts):
        return "-".join(("st", self._testMethodName) + parts)

    def assertStreamErrorLogged(self, rid, model, door, client_text, error_kind):
        """The row of a stream that failed after its first byte: a 200 with outcome stream_error,
        one attempt (no fallback) carrying the failure, the partial answer reassembled, and the
        usage of what was sent priced at the model."""
        row, att = self.logged(rid)
        self.assertEqual(row["endpoint"], "/v1/chat/completions" if door == "openai"
                         else "/v1/messages")
        self.assertEqual((row["status"], row["outcome"], row["stream"]), (200, "stream_error", 1))
        self.assertEqual((row["public_model"], row["served_model"]), (model, model))
        self.assertTrue(row["error"])
        self.assertEqual(len(att), 1, att)
        a = att[0]
        provider = self.cfg.data["models"][model]["provider"]
        self.assertEqual((a["target"], a["provider"], a["status"], a["error_kind"]),
                         (model, provider, 200, error_kind))
        self.assertEqual(a["error"], row["error"])
        self.assertGreaterEqual(row["ttft_ms"], 0)
        self.assertLessEqual(row["ttft_ms"], row["latency_ms"])
        self.assertEqual(row["bodies_dropped"], 0)
        body = json.loads(row["response_body"])
        if door == "openai":
            self.assertEqual(body["object"], "chat.completion")
            self.assertEqual(body["choices"][0]["message"]["content"], client_text)
            self.assertIsNone(body["choices"][0]["finish_reason"],
                              "the log must not claim a clean finish either")
        else:
            self.assertEqual(body["type"], "message")
            self.assertEqual("".join(b.get("text", "") for b in body["content"]), client_text)
            self.assertIsNone(body["stop_reason"], "the log must not claim a clean finish either")
        # Usage of the partial answer: an Anthropic upstream reported its input in message_start;
        # an OpenAI one sends usage only in its last frame, so it is estimated.
        self.assertGreater(row["output_tokens"], 0)
        if self.cfg.data["providers"][provider]["kind"] == "openai":
            self.assertEqual(row["usage_estimated"], 1)
            self.assertGreater(row["input_tokens"], 0)
        else:
            self.assertEqual(row["input_tokens"], fu.INPUT_TOKENS)
        self.assertAlmostEqual(row["cost_usd"], (row["input_tokens"] * PRICE_IN +
                                                 row["output_tokens"] * PRICE_OUT) / 1e6,
                               places=12)
        return row

    def check(self, door, model, error_kind, tag=()):
        """Sends one stream through `door`, checks what the client saw and what was logged."""
        rid = self.rid(door, model, *tag)
        if door == "openai":
            text = self.assertOpenAIStreamError(
                self.chat(model, stream=True, headers={"x-request-id": rid}))
        else:
            text = self.assertAnthropicStreamError(
                self.messages(model, stream=True, headers={"x-request-id": rid}))
        self.assertTrue(text, "the failure should come after some text reached the client")
        self.assertTrue(fu.TEXT.startswith(text), text)
        return self.assertStreamErrorLogged(rid, model, door, text, error_kind)

    # --- reset -------------------------------------------------------------------------------------------
    def test_reset_openai_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                self.check("openai", kind + "-reset-mid-stream", "reset")

    def test_reset_anthropic_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                self.check("anthropic", kind + "-reset-mid-stream", "reset")

    # --- truncated (clean end of body without the wire's terminator) ------------------------------------
    def test_truncated_openai_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                row = self.check("openai", kind + "-truncated-stream", "malformed")
                self.assertIn("truncated", row["error"])

    def test_truncated_anthropic_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                row = self.check("anthropic", kind + "-truncated-stream", "malformed")
                self.assertIn("truncated", row["error"])

    # --- upstream sent an in-band error event --------------------------------------------------------------
    # The upstream's own error (its message) is what the log keeps; the attempt's HTTP status
    # stays the 200 the stream started with.
    UPSTREAM_EVENT_MESSAGE = {"oai": "fake upstream failed mid-stream", "ant": "Overloaded"}

    def test_upstream_error_event_openai_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                row = self.check("openai", kind + "-error-event", "http_status")
                self.assertIn(self.UPSTREAM_EVENT_MESSAGE[kind], row["error"])

    def test_upstream_error_event_anthropic_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                row = self.check("anthropic", kind + "-error-event", "http_status")
                self.assertIn(self.UPSTREAM_EVENT_MESSAGE[kind], row["error"])

    # --- idle timeout mid-stream ----------------------------------------------------------------------------
    def test_stall_mid_stream_openai_door(self):
        row = self.check("openai", "q-stall-mid-stream", "timeout")
        self.assertIn("timeout", row["error"])
        self.assertGreaterEqual(row["latency_ms"], 650)   # idle_ms: 700

    def test_stall_mid_stream_anthropic_door(self):
        row = self.check("anthropic", "qa-stall-mid-stream", "timeout")
        self.assertIn("timeout", row["error"])
        self.assertGreaterEqual(row["latency_ms"], 650)

    # --- garbage mid-stream ----------------------------------------------------------------------------------
    def test_malformed_chunk_mid_stream(self):
        # The first frames are valid, then garbage: by then the stream has started.
        for kind in BOTH_KINDS:
            for door in ("openai", "anthropic"):
                with self.subTest(upstream=kind, door=door):
                    self.check(door, kind + "-malformed-mid-stream", "malformed")


if __name__ == "__main__":
    unittest.main()
