"""GET /healthz and /readyz: ready only when every provider a route uses has what it needs."""

import json
import os
import unittest

from harness import GatewayTestCase


class HealthyTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok",))
        cfg.route("both", ["oai-ok", "ant-ok"])
        # `dead` is defined but used by no route: it must not affect readiness.

    def test_healthz(self):
        r = self.client.get("/healthz")
        self.assertEqual(r.status, 200, r)

    def test_readyz_ok(self):
        r = self.client.get("/readyz")
        self.assertEqual(r.status, 200, r)
        json.loads(r.body)


class MissingKeyTest(GatewayTestCase):
    """A route whose chain uses a provider without a key: per the spec readyz is 503 even though
    another target of the chain could still serve."""
    ENV = "SY_IT_SURELY_UNSET_KEY"

    @classmethod
    def configure(cls, cfg):
        os.environ.pop(cls.ENV, None)
        cfg.standard_models(("ok",))
        cfg.data["providers"]["ant"]["api_key"] = "${%s:-}" % cls.ENV
        cfg.route("both", ["ant-ok", "oai-ok"])

    def test_healthz_still_200(self):
        self.assertEqual(self.client.get("/healthz").status, 200)

    def test_readyz_503_names_provider(self):
        r = self.client.get("/readyz")
        self.assertEqual(r.status, 503, r)
        self.assertIn("application/json", r.headers.get("content-type", ""))
        body = json.loads(r.body)
        text = json.dumps(body)
        self.assertIn("ant", text)
        self.assertIn(self.ENV, text, "the details should say which variable to set")
        # The healthy provider is not reported as a problem.
        self.assertNotIn("sk-test-oai-key", text)

    def test_route_skips_provider_without_key(self):
        r = self.chat("both")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("x-switchyard-provider"), "oai")
        self.assertEqual(self.fake.requests(path_suffix="/messages"), [])

    def test_model_with_missing_key_fails_without_calling_upstream(self):
        r = self.messages("ant-ok")
        self.assertGreaterEqual(r.status, 400, r)
        self.assertAnthropicError(r, r.status)
        self.assertEqual(self.fake.requests(), [])



class MissingKeyOnlyTargetTest(GatewayTestCase):
    """The only provider of a route has no key: nothing can serve it, so readyz is 503."""
    ENV = "SY_IT_SURELY_UNSET_KEY_2"

    @classmethod
    def configure(cls, cfg):
        os.environ.pop(cls.ENV, None)
        cfg.standard_models(("ok",))
        cfg.data["providers"]["ant"]["api_key"] = "${%s:-}" % cls.ENV
        cfg.route("ant-only", ["ant-ok"])
        cfg.route("oai-only", ["oai-ok"])

    def test_readyz_503_names_provider_and_variable(self):
        r = self.client.get("/readyz")
        self.assertEqual(r.status, 503, r)
        text = json.dumps(json.loads(r.body))
        self.assertIn("ant", text)
        self.assertIn(self.ENV, text)


if __name__ == "__main__":
    unittest.main()
