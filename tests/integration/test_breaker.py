"""Circuit breaker per target: opens after breaker_failures consecutive failures (the target then
receives no requests), half-opens after breaker_cooldown_ms (one probe), closes on success and
re-opens on a failed probe."""

import time
import unittest

from harness import GatewayTestCase

FAILURES = 3
COOLDOWN_S = 1.5


class BreakerTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok",))
        cfg.data["fallback"]["breaker_failures"] = FAILURES
        cfg.data["fallback"]["breaker_cooldown_ms"] = int(COOLDOWN_S * 1000)
        for name in ("brk-a", "brk-b", "brk-c"):
            cfg.model(name, "oai", name)
            cfg.route("route-" + name, [name, "ant-ok"])

    def calls(self, model):
        return len(self.fake.requests(model=model))

    def open_breaker(self, model):
        self.fake.script(model, ["err-500"] * FAILURES)
        for i in range(FAILURES):
            r = self.chat("route-" + model)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.headers.get("x-switchyard-model"), "ant-ok")
        self.assertEqual(self.calls(model), FAILURES)

    def test_opens_then_half_open_probe_closes_it(self):
        self.open_breaker("brk-a")
        opened_at = time.monotonic()
        attempts = []
        for _ in range(3):   # open: the target is skipped entirely
            r = self.chat("route-brk-a")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.headers.get("x-switchyard-model"), "ant-ok")
            attempts.append(r.headers.get("x-switchyard-attempts"))
        self.assertEqual(self.calls("brk-a"), FAILURES, "open breaker still sent requests")
        time.sleep(max(0, COOLDOWN_S + 0.3 - (time.monotonic() - opened_at)))
        r = self.chat("route-brk-a")   # half-open probe succeeds (unscripted = ok)
        self.assertEqual(r.headers.get("x-switchyard-model"), "brk-a", r)
        self.assertEqual(self.calls("brk-a"), FAILURES + 1)
        r = self.chat("route-brk-a")   # closed again
        self.assertEqual(r.headers.get("x-switchyard-model"), "brk-a", r)
        self.assertEqual(self.calls("brk-a"), FAILURES + 2)
        # A skipped target is not an upstream attempt.
        self.assertEqual(attempts, ["1"] * 3, "x-switchyard-attempts counts skipped targets")

    def test_failed_probe_reopens(self):
        self.open_breaker("brk-b")
        time.sleep(COOLDOWN_S + 0.3)
        self.fake.script("brk-b", ["err-500"])
        r = self.chat("route-brk-b")
        self.assertEqual(r.headers.get("x-switchyard-model"), "ant-ok", r)
        self.assertEqual(self.calls("brk-b"), FAILURES + 1)
        r = self.chat("route-brk-b")   # re-opened: skipped again
        self.assertEqual(r.headers.get("x-switchyard-model"), "ant-ok", r)
        self.assertEqual(self.calls("brk-b"), FAILURES + 1)

    def test_success_resets_consecutive_count(self):
        self.fake.script("brk-c", ["err-500"] * (FAILURES - 1) + ["ok"] + ["err-500"] * (FAILURES - 1))
        for _ in range(2 * FAILURES - 1):
            self.chat("route-brk-c")
        r = self.chat("route-brk-c")   # never FAILURES in a row: still closed
        self.assertEqual(r.headers.get("x-switchyard-model"), "brk-c", r)
        self.assertEqual(self.calls("brk-c"), 2 * FAILURES)


if __name__ == "__main__":
    unittest.main()
