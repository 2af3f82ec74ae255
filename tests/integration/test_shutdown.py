"""Graceful shutdown: on SIGTERM/SIGINT the gateway stops accepting, lets in-flight streams finish
(within server.shutdown_grace_ms), flushes the log and exits 0."""

import signal
import socket
import tempfile
import threading
import time
import unittest

import fake_upstream
import fake_upstream as fu
from harness import Config, Gateway, db_request


class ShutdownTest(unittest.TestCase):
    def setUp(self):
        self.fake = fake_upstream.start_in_thread()
        self.tmp = tempfile.TemporaryDirectory(prefix="sy-sd-")
        self.gw = None

    def tearDown(self):
        if self.gw:
            self.gw.kill()
        self.fake.stop()
        self.tmp.cleanup()

    def start(self, grace_ms=5000):
        cfg = Config(self.fake.port, self.tmp.name)
        cfg.data["server"]["shutdown_grace_ms"] = grace_ms
        cfg.model("slow-300", "oai", "slow@300")
        cfg.model("slow-a-300", "ant", "slow@300")
        cfg.model("slow-1000", "oai", "slow@1000")
        self.db_path = cfg.db_path
        self.gw = Gateway(cfg.write()).start()
        return self.gw

    def stream_in_thread(self, path, body, headers):
        first = threading.Event()
        result = {}

        def run():
            result["sse"] = self.gw.client.stream(path, body, headers=headers, timeout=30,
                                                  on_event=lambda ev: first.set())
            first.set()
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t, first, result

    def test_sigterm_lets_stream_finish_and_flushes_log(self):
        gw = self.start()
        body = {"model": "slow-300", "stream": True,
                "messages": [{"role": "user", "content": "hi"}]}
        t, first, result = self.stream_in_thread("/v1/chat/completions", body,
                                                 {"x-request-id": "sd-stream-1"})
        self.assertTrue(first.wait(10), "stream never started")
        t_sig = time.monotonic()
        gw.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        # No longer accepting: a new connection is refused (or closed without an answer).
        refused = False
        try:
            r = gw.client.get("/healthz", timeout=2)
            refused = r.status >= 500
        except OSError:
            refused = True
        self.assertTrue(refused, "still accepting requests after SIGTERM")
        t.join(20)
        sse = result["sse"]
        self.assertIsNone(sse.transport_error)
        self.assertEqual(sse.events[-1][1], "[DONE]", sse.raw)
        text = "".join((ev["choices"][0]["delta"].get("content") or "")
                       for _, ev in sse.json_events() if ev.get("choices"))
        self.assertEqual(text, fu.TEXT)
        self.assertGreater(time.monotonic() - t_sig, 1.0, "stream cannot have been paced")
        rc, err = gw.stop(timeout=15)
        self.assertEqual(rc, 0, err)
        row = db_request(self.db_path, "sd-stream-1")
        self.assertIsNotNone(row, "log row lost at shutdown")
        self.assertEqual(row["status"], 200)
        self.assertEqual(row["stream"], 1)
        self.assertIn(fu.TEXT, row["response_body"])

    def test_sigint_with_anthropic_stream(self):
        gw = self.start()
        body = {"model": "slow-a-300", "stream": True, "max_tokens": 20,
                "messages": [{"role": "user", "content": "hi"}]}
        t, first, result = self.stream_in_thread(
            "/v1/messages", body, {"x-request-id": "sd-stream-2", "anthropic-version": "2023-06-01"})
        self.assertTrue(first.wait(10))
        gw.send_signal(signal.SIGINT)
        t.join(20)
        sse = result["sse"]
        self.assertEqual([n for n in sse.names() if n != "ping"][-1], "message_stop", sse.raw)
        rc, err = gw.stop(timeout=15)
        self.assertEqual(rc, 0, err)
        self.assertIsNotNone(db_request(self.db_path, "sd-stream-2"))

    def test_idle_gateway_exits_0_quickly(self):
        gw = self.start()
        # A completed request, so the log has something to flush.
        r = gw.client.post("/v1/chat/completions", {"model": "slow-300", "messages": [
            {"role": "user", "content": "hi"}]}, headers={"x-request-id": "sd-plain"})
        self.assertEqual(r.status, 200, r)
        # An idle keep-alive client must not hold up shutdown.
        idle = socket.create_connection(("127.0.0.1", gw.port))
        try:
            t0 = time.monotonic()
            rc, err = gw.stop(timeout=15)
            self.assertEqual(rc, 0, err)
            self.assertLess(time.monotonic() - t0, 4.0)
        finally:
            idle.close()
        self.assertIsNotNone(db_request(self.db_path, "sd-plain"))

    def test_grace_period_bounds_shutdown(self):
        gw = self.start(grace_ms=1000)
        body = {"model": "slow-1000", "stream": True,
                "messages": [{"role": "user", "content": "hi"}]}
        t, first, result = self.stream_in_thread("/v1/chat/completions", body,
                                                 {"x-request-id": "sd-cut"})
        self.assertTrue(first.wait(10))
        t0 = time.monotonic()
        rc, err = gw.stop(timeout=20)   # the stream would need ~7 more seconds
        took = time.monotonic() - t0
        self.assertEqual(rc, 0, err)
        self.assertLess(took, 4.0, "shutdown ignored shutdown_grace_ms")
        t.join(10)
        # The client is told, in its API's own stream format, rather than left with a truncation.
        sse = result["sse"]
        self.assertIsNone(sse.transport_error, sse.raw)
        errors = [ev for _, ev in sse.json_events() if "error" in ev]
        self.assertEqual(len(errors), 1, sse.raw)
        self.assertEqual(errors[0]["error"]["code"], "server_shutting_down")
        self.assertIn("shutdown_grace_ms", errors[0]["error"]["message"])
        # The cut stream is still in the log, marked as such, with what it had streamed so far.
        row = db_request(self.db_path, "sd-cut")
        self.assertIsNotNone(row, "a stream cut at shutdown lost its log record")
        self.assertEqual(row["outcome"], "shutdown")
        self.assertIn("cut at shutdown", row["error"])
        self.assertEqual(row["stream"], 1)

    def test_grace_period_cut_on_the_anthropic_door_and_a_waiting_request(self):
        gw = self.start(grace_ms=500)
        body = {"model": "slow-1000", "stream": True, "max_tokens": 20,
                "messages": [{"role": "user", "content": "hi"}]}
        t, first, result = self.stream_in_thread(
            "/v1/messages", body, {"x-request-id": "sd-cut-a", "anthropic-version": "2023-06-01"})
        self.assertTrue(first.wait(10))
        # A non-streaming request whose upstream answers only after ~7 s.
        plain = {}

        def run_plain():
            plain["r"] = gw.client.post("/v1/chat/completions", {
                "model": "slow-1000", "messages": [{"role": "user", "content": "hi"}]},
                headers={"x-request-id": "sd-cut-plain"}, timeout=20)
        tp = threading.Thread(target=run_plain, daemon=True)
        tp.start()
        time.sleep(0.3)
        rc, err = gw.stop(timeout=20)
        self.assertEqual(rc, 0, err)
        t.join(10)
        tp.join(10)
        sse = result["sse"]
        self.assertIsNone(sse.transport_error, sse.raw)
        self.assertEqual(sse.names()[-1], "error", sse.raw)
        ev = sse.json_events()[-1][1]
        self.assertEqual(ev["type"], "error")
        self.assertIn("shutting down", ev["error"]["message"])
        r = plain["r"]
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.json()["error"]["code"], "server_shutting_down")
        self.assertEqual(db_request(self.db_path, "sd-cut-plain")["outcome"], "shutdown")
        self.assertEqual(db_request(self.db_path, "sd-cut-a")["outcome"], "shutdown")

    def test_cut_request_is_not_retried_into_a_closed_socket(self):
        # A long backoff between retries: the attempt aborted by the cut must not be retried
        # (the client socket closes 300 ms after the cut; the 503 has to leave before that).
        cfg = Config(self.fake.port, self.tmp.name)
        cfg.data["server"]["shutdown_grace_ms"] = 300
        cfg.data["fallback"].update({"backoff_base_ms": 3000, "backoff_max_ms": 3000})
        cfg.model("slow-1000", "oai", "slow@1000")
        cfg.route("slow-retried", [("slow-1000", 3)])
        self.db_path = cfg.db_path
        self.gw = gw = Gateway(cfg.write()).start()
        plain = {}

        def run_plain():
            try:
                plain["r"] = gw.client.post("/v1/chat/completions", {
                    "model": "slow-retried", "messages": [{"role": "user", "content": "hi"}]},
                    headers={"x-request-id": "sd-cut-retry"}, timeout=20)
            except OSError as e:
                plain["error"] = e
        tp = threading.Thread(target=run_plain, daemon=True)
        tp.start()
        time.sleep(0.2)
        t0 = time.monotonic()
        rc, err = gw.stop(timeout=20)
        self.assertEqual(rc, 0, err)
        self.assertLess(time.monotonic() - t0, 3.0, "the cut request slept through its backoff")
        tp.join(10)
        self.assertNotIn("error", plain, "the client was cut without an answer")
        r = plain["r"]
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.json()["error"]["code"], "server_shutting_down")
        row = db_request(self.db_path, "sd-cut-retry")
        self.assertEqual(row["outcome"], "shutdown")
        self.assertEqual(len(self.fake.requests()), 1, "retried after the cut")


if __name__ == "__main__":
    unittest.main()
