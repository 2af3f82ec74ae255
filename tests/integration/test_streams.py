"""Streams that fail after their first byte reached the client: the client's stream must end with
an error event in its API's shape (OpenAI: a `data: {"error": ...}` frame; Anthropic:
`event: error`), never a silent truncation and never a fake clean ending."""

import unittest

import fake_upstream as fu
from harness import GatewayTestCase

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

    # --- reset -------------------------------------------------------------------------------------------
    def test_reset_openai_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                text = self.assertOpenAIStreamError(self.chat(kind + "-reset-mid-stream",
                                                              stream=True))
                self.assertTrue(fu.TEXT.startswith(text) and text, text)

    def test_reset_anthropic_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                text = self.assertAnthropicStreamError(self.messages(kind + "-reset-mid-stream",
                                                                     stream=True))
                self.assertTrue(fu.TEXT.startswith(text), text)

    # --- truncated (clean end of body without the wire's terminator) ------------------------------------
    def test_truncated_openai_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                self.assertOpenAIStreamError(self.chat(kind + "-truncated-stream", stream=True))

    def test_truncated_anthropic_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                self.assertAnthropicStreamError(self.messages(kind + "-truncated-stream",
                                                              stream=True))

    # --- upstream sent an in-band error event --------------------------------------------------------------
    def test_upstream_error_event_openai_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                self.assertOpenAIStreamError(self.chat(kind + "-error-event", stream=True))

    def test_upstream_error_event_anthropic_door(self):
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind):
                self.assertAnthropicStreamError(self.messages(kind + "-error-event", stream=True))

    # --- idle timeout mid-stream ----------------------------------------------------------------------------
    def test_stall_mid_stream_openai_door(self):
        self.assertOpenAIStreamError(self.chat("q-stall-mid-stream", stream=True))

    def test_stall_mid_stream_anthropic_door(self):
        self.assertAnthropicStreamError(self.messages("qa-stall-mid-stream", stream=True))

    # --- garbage mid-stream ----------------------------------------------------------------------------------
    def test_malformed_chunk_mid_stream(self):
        # The first frames are valid, then garbage: by then the stream has started.
        for kind in BOTH_KINDS:
            with self.subTest(upstream=kind, door="openai"):
                self.assertOpenAIStreamError(self.chat(kind + "-malformed-mid-stream", stream=True))
            with self.subTest(upstream=kind, door="anthropic"):
                self.assertAnthropicStreamError(self.messages(kind + "-malformed-mid-stream",
                                                              stream=True))


if __name__ == "__main__":
    unittest.main()
