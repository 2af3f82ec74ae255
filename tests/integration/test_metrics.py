"""GET /metrics (Prometheus text) and what it counts, the request log's back-pressure counters
(a full queue sheds bodies, never records), /readyz naming open circuit breakers, and the
x-request-id header on every answer, errors the router gives before any handler included."""

import json
import re
import threading
import time
import unittest

import fake_upstream as fu
from harness import GatewayTestCase, EXPECTED_COST, db_attempts, db_request, db_rows

SETTLE_S = 5.0   # counters move right after the answer is sent; they are polled this long
GENERATED_ID = re.compile(r"^req_[0-9a-f]{24}$")

COUNTERS = ("switchyard_requests_total", "switchyard_client_errors_total",
            "switchyard_server_errors_total", "switchyard_upstream_attempts_total",
            "switchyard_upstream_failures_total", "switchyard_fallbacks_total",
            "switchyard_stream_errors_total", "switchyard_input_tokens_total",
            "switchyard_output_tokens_total", "switchyard_cost_micro_usd_total",
            "switchyard_log_submitted_total", "switchyard_log_written_total",
            "switchyard_log_bodies_dropped_total", "switchyard_log_blocked_waits_total",
            "switchyard_log_write_errors_total")
GAUGES = ("switchyard_active_requests", "switchyard_active_streams", "switchyard_log_queue_depth")


def parse_prometheus(text):
    """{name: value} of the samples, plus {name: type} from the # TYPE lines."""
    samples, types = {}, {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
        elif not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples, types


class MetricsMixin:
    def scrape(self):
        r = self.client.get("/metrics")
        self.assertEqual(r.status, 200, r)
        return parse_prometheus(r.body.decode())[0]

    def settle(self, before, want, extra=None):
        """Polls /metrics until every counter in `want` moved by exactly its amount (or SETTLE_S
        passed); returns (deltas of those counters, the last sample) for an exact comparison."""
        deadline = time.monotonic() + SETTLE_S
        while True:
            now = self.scrape()
            got = {k: now[k] - before[k] for k in want}
            done = got == want and (extra is None or extra(now))
            if done or time.monotonic() > deadline:
                return got, now
            time.sleep(0.05)


class MetricsTest(MetricsMixin, GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok", "err-500", "reset-mid-stream"))
        cfg.route("fb-500", ["oai-err-500", "ant-ok"])

    def test_exposition_format(self):
        r = self.client.get("/metrics")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("content-type", "").startswith("text/plain; version=0.0.4"),
                        r.headers)
        samples, types = parse_prometheus(r.body.decode())
        for name in COUNTERS:
            self.assertEqual(types.get(name), "counter", name)
            self.assertIn(name, samples)
            self.assertGreaterEqual(samples[name], 0)
        for name in GAUGES:
            self.assertEqual(types.get(name), "gauge", name)
            self.assertIn(name, samples)
        self.assertEqual(set(samples), set(types), "every sample has a # TYPE line")

    def test_counters_move_by_exactly_the_requests(self):
        before = self.scrape()
        H = self.OPENAI_HEADERS
        self.assertEqual(self.chat("oai-ok").status, 200)                      # ok, 1 attempt
        self.assertEqual(self.chat("no-such-model").status, 404)               # client error
        r = self.client.post("/v1/chat/completions", raw=b"{not json", headers=H)
        self.assertEqual(r.status, 400, r)                                       # client error
        self.assertEqual(self.chat("oai-err-500").status, 500)                 # upstream failure
        r = self.chat("fb-500")                                                  # fallback
        self.assertEqual(r.headers.get("x-switchyard-model"), "ant-ok", r)
        want = {
            "switchyard_requests_total": 5,
            "switchyard_client_errors_total": 2,
            "switchyard_server_errors_total": 1,
            "switchyard_upstream_attempts_total": 4,    # ok 1, err-500 1, fb-500 2
            "switchyard_upstream_failures_total": 2,    # err-500, and fb-500's first target
            "switchyard_fallbacks_total": 1,
            "switchyard_stream_errors_total": 0,
            "switchyard_input_tokens_total": 2 * fu.INPUT_TOKENS,
            "switchyard_output_tokens_total": 2 * fu.OUTPUT_TOKENS,
            "switchyard_cost_micro_usd_total": 2 * round(EXPECTED_COST * 1e6),
            "switchyard_log_submitted_total": 5,        # every API request, errors included
            "switchyard_log_written_total": 5,
            "switchyard_log_bodies_dropped_total": 0,
            "switchyard_log_blocked_waits_total": 0,
            "switchyard_log_write_errors_total": 0,
        }
        got, now = self.settle(before, want, lambda m: m["switchyard_log_queue_depth"] == 0)
        self.assertEqual(got, want)
        self.assertEqual(now["switchyard_log_queue_depth"], 0)
        self.assertEqual(now["switchyard_active_streams"], 0)
        self.assertGreaterEqual(now["switchyard_active_requests"], 1)   # the scrape itself

    def test_mid_stream_failure_counts_as_stream_error(self):
        before = self.scrape()
        rid = "metrics-mid-stream"
        sse = self.chat("oai-reset-mid-stream", stream=True, headers={"x-request-id": rid})
        self.assertEqual(sse.status, 200)
        want = {"switchyard_requests_total": 1, "switchyard_stream_errors_total": 1,
                "switchyard_upstream_attempts_total": 1, "switchyard_upstream_failures_total": 1,
                "switchyard_fallbacks_total": 0,
                "switchyard_client_errors_total": 0, "switchyard_server_errors_total": 0,
                "switchyard_log_written_total": 1}
        got, now = self.settle(before, want)
        self.assertEqual(got, want)
        self.assertEqual(now["switchyard_active_streams"], 0)
        # Tokens and cost of the partial answer are the ones the log row holds.
        row = db_request(self.db_path, rid)
        self.assertIsNotNone(row)
        self.assertEqual(row["outcome"], "stream_error")
        self.assertGreater(row["output_tokens"], 0)
        self.assertEqual(now["switchyard_input_tokens_total"] - before["switchyard_input_tokens_total"],
                         row["input_tokens"])
        self.assertEqual(now["switchyard_output_tokens_total"] - before["switchyard_output_tokens_total"],
                         row["output_tokens"])
        self.assertEqual(now["switchyard_cost_micro_usd_total"] -
                         before["switchyard_cost_micro_usd_total"], round(row["cost_usd"] * 1e6))


# --------------------------------------------------------------------------------------------------
# Back-pressure on the request log. The writer only wakes for a full batch or its flush interval,
# both set out of reach here, so with room for one record every later one finds the queue full.
# --------------------------------------------------------------------------------------------------

BURST = 8


class LogBackPressureTest(MetricsMixin, GatewayTestCase):
    """overflow: drop_bodies (the default)."""

    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok",))
        cfg.data["log"].update({"queue_capacity": 1, "batch_size": 100000,
                                "flush_interval_ms": 600000})

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.statuses = []
        lock = threading.Lock()

        def one(i):
            try:
                r = cls.client.post("/v1/chat/completions", cls.openai_body("oai-ok"),
                                    headers={**cls.OPENAI_HEADERS, "x-request-id": "bp-%d" % i})
                status = r.status
            except OSError as e:
                status = repr(e)
            with lock:
                cls.statuses.append(status)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(BURST)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        # The records are submitted right after each answer went out: wait for all of them.
        deadline = time.monotonic() + SETTLE_S
        while True:
            cls.metrics_text = cls.client.get("/metrics").body.decode()
            cls.metrics = parse_prometheus(cls.metrics_text)[0]
            if cls.metrics["switchyard_log_submitted_total"] >= BURST or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        cls.readyz = cls.client.get("/readyz")
        cls.exit_code, cls.stderr_text = cls.gateway.stop()   # drains the queue into the file
        cls.gateway = None

    def test_burst_was_served(self):
        self.assertEqual(self.statuses, [200] * BURST)

    def test_bodies_dropped_counted(self):
        m = self.metrics
        self.assertEqual(m["switchyard_log_submitted_total"], BURST, self.metrics_text)
        self.assertGreater(m["switchyard_log_bodies_dropped_total"], 0, self.metrics_text)
        # Only the first record found room; nothing was written yet.
        self.assertEqual(m["switchyard_log_bodies_dropped_total"], BURST - 1, self.metrics_text)
        self.assertEqual(m["switchyard_log_written_total"], 0, self.metrics_text)
        self.assertEqual(m["switchyard_log_queue_depth"], BURST, "records are kept, not dropped")
        self.assertEqual(m["switchyard_log_blocked_waits_total"], 0)

    def test_readyz_reports_the_log(self):
        self.assertEqual(self.readyz.status, 200, self.readyz)
        log = json.loads(self.readyz.body)["log"]
        self.assertEqual(log["bodies_dropped"], BURST - 1)
        self.assertEqual(log["queue_depth"], BURST)
        self.assertEqual(log["write_errors"], 0)

    def test_graceful_stop_drains(self):
        self.assertEqual(self.exit_code, 0, self.stderr_text)

    def test_every_record_is_in_the_log(self):
        rows = {r["id"]: r for r in db_rows(self.db_path, "requests")}
        self.assertEqual(sorted(rows), sorted("bp-%d" % i for i in range(BURST)))
        dropped = [r for r in rows.values() if r["bodies_dropped"] == 1]
        kept = [r for r in rows.values() if r["bodies_dropped"] == 0]
        self.assertEqual(len(dropped), BURST - 1)
        self.assertEqual(len(kept), 1)
        self.assertTrue(kept[0]["request_body"])
        self.assertEqual(json.loads(kept[0]["response_body"])["choices"][0]["message"]["content"],
                         fu.TEXT)
        for r in dropped:
            with self.subTest(id=r["id"]):
                # Only the bodies went; what bills and audits need is all there.
                self.assertEqual((r["request_body"], r["response_body"]), ("", ""))
                self.assertEqual((r["status"], r["outcome"]), (200, "ok"))
                self.assertEqual((r["served_model"], r["provider"]), ("oai-ok", "oai"))
                self.assertEqual((r["input_tokens"], r["output_tokens"]),
                                 (fu.INPUT_TOKENS, fu.OUTPUT_TOKENS))
                self.assertAlmostEqual(r["cost_usd"], EXPECTED_COST, places=12)
                att = db_attempts(self.db_path, r["id"])
                self.assertEqual([(a["target"], a["status"]) for a in att], [("oai-ok", 200)])


class LogBlockPolicyTest(MetricsMixin, GatewayTestCase):
    """overflow: block waits block_timeout_ms for room, then drops the bodies (counted twice)."""

    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok",))
        cfg.data["log"].update({"queue_capacity": 1, "batch_size": 100000,
                                "flush_interval_ms": 600000, "overflow": "block",
                                "block_timeout_ms": 100})

    def test_waits_then_drops_bodies(self):
        before = self.scrape()
        for i in range(3):
            self.assertEqual(self.chat("oai-ok", headers={"x-request-id": "blk-%d" % i}).status, 200)
        want = {"switchyard_log_submitted_total": 3, "switchyard_log_blocked_waits_total": 2,
                "switchyard_log_bodies_dropped_total": 2, "switchyard_log_written_total": 0}
        got, now = self.settle(before, want)
        self.assertEqual(got, want)
        self.assertEqual(now["switchyard_log_queue_depth"], 3)
        rc, err = self.stop_gateway()
        self.assertEqual(rc, 0, err)
        rows = {r["id"]: r["bodies_dropped"] for r in db_rows(self.db_path, "requests")}
        self.assertEqual(rows, {"blk-0": 0, "blk-1": 1, "blk-2": 1})


# --------------------------------------------------------------------------------------------------
# /readyz and circuit breakers
# --------------------------------------------------------------------------------------------------

FAILURES = 2


class ReadyzBreakerTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok",))
        cfg.data["fallback"]["breaker_failures"] = FAILURES
        cfg.data["fallback"]["breaker_cooldown_ms"] = 600000   # stays open for the test
        cfg.model("brk-hidden", "oai", "brk-hidden")
        cfg.data["models"]["brk-hidden"]["listed"] = False
        cfg.route("route-hidden", ["brk-hidden", "ant-ok"])
        cfg.model("brk-listed", "oai", "brk-listed")
        cfg.route("route-listed", ["brk-listed", "ant-ok"])

    def readyz(self):
        r = self.client.get("/readyz")
        self.assertIn("application/json", r.headers.get("content-type", ""))
        return r, json.loads(r.body)

    def open_breaker(self, model, route):
        self.fake.script(model, ["err-500"] * FAILURES)
        for _ in range(FAILURES):
            r = self.chat(route)
            self.assertEqual(r.headers.get("x-switchyard-model"), "ant-ok", r)
        r = self.chat(route)   # open: skipped, no upstream call
        self.assertEqual(r.headers.get("x-switchyard-model"), "ant-ok", r)
        self.assertEqual(len(self.fake.requests(model=model)), FAILURES)

    @staticmethod
    def breakers(body, route):
        return {t["model"]: t["breaker"] for t in body["routes"][route]["targets"]}

    def test_open_breaker_shown_in_readyz(self):
        r, body = self.readyz()
        self.assertEqual((r.status, body["status"]), (200, "ready"), body)
        self.assertEqual(self.breakers(body, "route-listed"),
                         {"brk-listed": "closed", "ant-ok": "closed"})

        # A route whose first target is open still has a usable one: ready, with the details.
        self.open_breaker("brk-hidden", "route-hidden")
        r, body = self.readyz()
        self.assertEqual(self.breakers(body, "route-hidden"),
                         {"brk-hidden": "open", "ant-ok": "closed"}, body)
        self.assertTrue(body["routes"]["route-hidden"]["ready"])
        self.assertNotIn("brk-hidden", body["routes"], "unlisted models are not routes here")
        self.assertEqual((r.status, body["status"]), (200, "ready"), body)
        self.assertEqual(body["providers"]["oai"]["status"], "ok", "a breaker is per target")

        # The listed model brk-listed is a route of its own whose only target is now open:
        # nothing can serve it, so the gateway is not ready.
        self.open_breaker("brk-listed", "route-listed")
        r, body = self.readyz()
        self.assertEqual((r.status, body["status"]), (503, "not_ready"), body)
        self.assertEqual(self.breakers(body, "brk-listed"), {"brk-listed": "open"})
        self.assertFalse(body["routes"]["brk-listed"]["ready"])
        self.assertTrue(body["routes"]["route-listed"]["ready"])
        self.assertEqual(self.breakers(body, "route-listed")["brk-listed"], "open")
        self.assertEqual(self.client.get("/healthz").status, 200, "liveness is not readiness")


# --------------------------------------------------------------------------------------------------
# x-request-id on every response
# --------------------------------------------------------------------------------------------------

MAX_BODY = 2048


class TestRequestIdOnEveryResponse(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok",))
        cfg.data["server"]["max_body_bytes"] = MAX_BODY

    def big_body(self):
        body = self.openai_body("oai-ok")
        body["messages"][0]["content"] = "x" * (2 * MAX_BODY)
        return body

    def cases(self):
        """(name, callable taking extra headers, expected status)."""
        c = self.client
        H = self.OPENAI_HEADERS
        return [
            ("404 unknown path", lambda h: c.get("/no/such/path", headers=h), 404),
            ("405 GET on chat", lambda h: c.get("/v1/chat/completions", headers={**H, **h}), 405),
            ("405 GET on messages",
             lambda h: c.get("/v1/messages", headers={**self.ANTHROPIC_HEADERS, **h}), 405),
            ("413 body over max_body_bytes",
             lambda h: c.post("/v1/chat/completions", self.big_body(), headers={**H, **h}), 413),
            ("400 bad JSON",
             lambda h: c.post("/v1/chat/completions", raw=b"{", headers={**H, **h}), 400),
            ("200 chat", lambda h: c.post("/v1/chat/completions", self.openai_body("oai-ok"),
                                          headers={**H, **h}), 200),
            ("200 healthz", lambda h: c.get("/healthz", headers=h), 200),
        ]

    def test_generated_when_not_sent(self):
        seen = set()
        for name, send, status in self.cases():
            with self.subTest(name):
                r = send({})
                self.assertEqual(r.status, status, r)
                rid = r.headers.get("x-request-id")
                self.assertIsNotNone(rid, "no x-request-id on " + name)
                self.assertRegex(rid, GENERATED_ID)
                self.assertNotIn(rid, seen)
                seen.add(rid)

    def test_client_id_echoed(self):
        for i, (name, send, status) in enumerate(self.cases()):
            with self.subTest(name):
                mine = "client-id-%d_%s" % (i, "A.b:c")
                r = send({"x-request-id": mine})
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.headers.get("x-request-id"), mine, name)

    def test_unusable_client_id_replaced(self):
        # At most 128 visible ASCII characters, no spaces (README); anything else is replaced.
        for bad in ("has space", "x" * 129):
            with self.subTest(bad=bad[:20]):
                r = self.client.get("/no/such/path", headers={"x-request-id": bad})
                self.assertEqual(r.status, 404)
                self.assertRegex(r.headers.get("x-request-id", ""), GENERATED_ID)
        r = self.client.get("/no/such/path", headers={"x-request-id": "y" * 128})
        self.assertEqual(r.headers.get("x-request-id"), "y" * 128)


if __name__ == "__main__":
    unittest.main()
