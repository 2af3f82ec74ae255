"""Client errors: status codes and the exact error shape of each API (OpenAI on /v1/chat/completions
and /v1/embeddings, Anthropic on /v1/messages), and upstream 4xx pass-through."""

import json
import socket
import unittest

from harness import GatewayTestCase


class ErrorsTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok", "err-400", "err-500", "err-429"))
        cfg.route("no-fallback-on-400", ["oai-err-400", "oai-ok"])

    def assertNoUpstreamCall(self):
        self.assertEqual(self.fake.requests(), [], "the gateway called the upstream")

    # --- body size ----------------------------------------------------------------------------------
    def test_413_openai(self):
        big = {"model": "oai-ok", "messages": [{"role": "user", "content": "x" * 70000}]}
        r = self.client.post("/v1/chat/completions", big)
        self.assertOpenAIError(r, 413)
        self.assertNoUpstreamCall()

    def test_413_anthropic(self):
        big = {"model": "ant-ok", "max_tokens": 5,
               "messages": [{"role": "user", "content": "x" * 70000}]}
        r = self.client.post("/v1/messages", big, headers=self.ANTHROPIC_HEADERS)
        self.assertAnthropicError(r, 413, "request_too_large")
        self.assertNoUpstreamCall()

    def test_413_embeddings(self):
        r = self.client.post("/v1/embeddings", {"model": "oai-embed", "input": "y" * 70000})
        self.assertOpenAIError(r, 413)

    def test_body_just_under_limit_is_accepted(self):
        body = {"model": "oai-ok", "messages": [{"role": "user", "content": "x" * 60000}]}
        r = self.client.post("/v1/chat/completions", body)
        self.assertEqual(r.status, 200, r)

    # --- malformed / invalid --------------------------------------------------------------------------
    def test_malformed_json_openai(self):
        r = self.client.post("/v1/chat/completions", raw=b'{"model": "oai-ok", "messages": [')
        err = self.assertOpenAIError(r, 400)
        self.assertEqual(err["type"], "invalid_request_error")
        self.assertNoUpstreamCall()

    def test_malformed_json_anthropic(self):
        r = self.client.post("/v1/messages", raw=b'{"model": ', headers=self.ANTHROPIC_HEADERS)
        self.assertAnthropicError(r, 400, "invalid_request_error")
        self.assertNoUpstreamCall()

    def test_nul_byte_does_not_hide_trailing_garbage(self):
        # A JSON parser that stops at NUL would accept this and forward the raw bytes upstream.
        raw = b'{"model": "oai-ok", "messages": [{"role": "user", "content": "hi"}]}\x00junk'
        r = self.client.post("/v1/chat/completions", raw=raw)
        err = self.assertOpenAIError(r, 400)
        self.assertIn("NUL", err["message"])
        self.assertNoUpstreamCall()

    def test_body_not_an_object(self):
        r = self.client.post("/v1/chat/completions", raw=b"[1, 2]")
        self.assertOpenAIError(r, 400)
        r = self.client.post("/v1/messages", raw=b'"hi"', headers=self.ANTHROPIC_HEADERS)
        self.assertAnthropicError(r, 400, "invalid_request_error")

    def test_missing_model_openai(self):
        r = self.client.post("/v1/chat/completions",
                             {"messages": [{"role": "user", "content": "hi"}]})
        err = self.assertOpenAIError(r, 400)
        self.assertEqual(err["type"], "invalid_request_error")
        self.assertEqual(err["param"], "model")

    def test_missing_model_anthropic(self):
        r = self.client.post("/v1/messages", {"max_tokens": 5, "messages": [
            {"role": "user", "content": "hi"}]}, headers=self.ANTHROPIC_HEADERS)
        self.assertAnthropicError(r, 400, "invalid_request_error")

    def test_unknown_model_openai(self):
        r = self.chat("no-such-model")
        self.assertIn(r.status, (400, 404), r)
        err = self.assertOpenAIError(r, r.status)
        self.assertIn("no-such-model", err["message"])
        if r.status == 404:
            self.assertEqual(err["code"], "model_not_found")
            self.assertEqual(err["type"], "invalid_request_error")
        self.assertNoUpstreamCall()

    def test_unknown_model_anthropic(self):
        r = self.messages("no-such-model")
        self.assertIn(r.status, (400, 404), r)
        err = self.assertAnthropicError(r, r.status)
        self.assertEqual(err["type"], "not_found_error" if r.status == 404
                         else "invalid_request_error")
        self.assertIn("no-such-model", err["message"])

    def test_unknown_model_embeddings(self):
        r = self.client.post("/v1/embeddings", {"model": "no-such-model", "input": "x"})
        self.assertIn(r.status, (400, 404), r)
        self.assertOpenAIError(r, r.status)

    def test_invalid_fields_openai(self):
        cases = [
            ({"model": "oai-ok", "messages": "hi"}, "messages"),
            ({"model": "oai-ok", "messages": []}, "messages"),
            ({"model": "oai-ok", "messages": [{"role": "wizard", "content": "x"}]},
             "messages[0].role"),
            ({"model": "oai-ok", "messages": [{"role": "user", "content": "x"}],
              "temperature": 5}, "temperature"),
            ({"model": "oai-ok", "messages": [{"role": "user", "content": "x"}],
              "stream": "yes"}, "stream"),
            ({"model": 42, "messages": [{"role": "user", "content": "x"}]}, "model"),
        ]
        for body, param in cases:
            with self.subTest(param=param, body=body):
                r = self.client.post("/v1/chat/completions", body)
                err = self.assertOpenAIError(r, 400)
                self.assertEqual(err["type"], "invalid_request_error")
                self.assertEqual(err["param"], param)
        self.assertNoUpstreamCall()

    def test_invalid_fields_anthropic(self):
        cases = [
            {"model": "ant-ok", "messages": [{"role": "user", "content": "x"}]},   # max_tokens
            {"model": "ant-ok", "max_tokens": 5, "messages": []},
            {"model": "ant-ok", "max_tokens": 5, "messages": "hi"},
            {"model": "ant-ok", "max_tokens": 5,
             "messages": [{"role": "system", "content": "x"}]},
            {"model": "ant-ok", "max_tokens": "many",
             "messages": [{"role": "user", "content": "x"}]},
        ]
        for body in cases:
            with self.subTest(body=body):
                r = self.client.post("/v1/messages", body, headers=self.ANTHROPIC_HEADERS)
                self.assertAnthropicError(r, 400, "invalid_request_error")
        self.assertNoUpstreamCall()

    def test_unknown_path_is_404(self):
        r = self.client.post("/v1/nope", {"model": "oai-ok"})
        err = self.assertOpenAIError(r, 404)
        self.assertEqual(err["type"], "invalid_request_error")   # what OpenAI itself answers
        self.assertEqual(err["code"], "unknown_url")

    def test_unknown_path_under_messages_is_anthropic_shaped(self):
        # The Anthropic SDK's batches live under /v1/messages/.
        r = self.client.post("/v1/messages/batches", {"requests": []},
                             headers=self.ANTHROPIC_HEADERS)
        self.assertAnthropicError(r, 404, "not_found_error")

    # --- wrong method, not HTTP, Expect: 100-continue ---------------------------------------------------
    def test_405_names_the_allowed_methods_and_is_logged_on_api_endpoints(self):
        r = self.client.request("DELETE", "/v1/chat/completions", headers={"x-request-id": "m-405"})
        err = self.assertOpenAIError(r, 405)
        self.assertEqual(err["code"], "method_not_allowed")
        self.assertEqual(r.headers.get("allow"), "POST")
        self.assertEqual(r.headers.get("x-request-id"), "m-405")
        row = self.logged("m-405")[0]
        self.assertEqual((row["status"], row["outcome"], row["endpoint"]),
                         (405, "client_error", "/v1/chat/completions"))
        self.assertIn("DELETE", row["error"])
        r = self.client.request("GET", "/v1/messages", headers=self.ANTHROPIC_HEADERS)
        self.assertAnthropicError(r, 405)
        r = self.client.request("OPTIONS", "/v1/models")
        self.assertOpenAIError(r, 405)
        self.assertEqual(r.headers.get("allow"), "GET, HEAD")
        self.assertNoUpstreamCall()

    def test_413_is_logged_as_a_client_error(self):
        big = {"model": "oai-ok", "messages": [{"role": "user", "content": "x" * 70000}]}
        r = self.client.post("/v1/chat/completions", big, headers={"x-request-id": "big-413"})
        self.assertOpenAIError(r, 413)
        self.assertEqual(r.headers.get("x-request-id"), "big-413")
        row = self.logged("big-413")[0]
        self.assertEqual((row["status"], row["outcome"]), (413, "client_error"))
        self.assertEqual(row["request_body"], "")
        self.assertIn("server.max_body_bytes", row["error"])

    def raw_exchange(self, payload, wait=3.0):
        s = socket.create_connection(("127.0.0.1", self.gateway.port), timeout=wait)
        try:
            s.sendall(payload)
            data = b""
            while True:
                try:
                    d = s.recv(65536)
                except (socket.timeout, ConnectionResetError):
                    break
                if not d:
                    break
                data += d
            return data
        finally:
            s.close()

    def assertRawOpenAIError(self, data, status, code):
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 %d " % status), data[:200])
        self.assertIn(b"\r\nx-request-id: req_", head)
        self.assertIn(b"\r\nConnection: close", head)
        err = json.loads(body)["error"]
        self.assertEqual(err["code"], code)
        return err

    def test_not_http_gets_400_not_a_silent_close(self):
        err = self.assertRawOpenAIError(self.raw_exchange(b"GARBAGE\r\n\r\n"), 400,
                                        "malformed_request")
        self.assertIn("Malformed HTTP request", err["message"])
        data = self.raw_exchange(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                                 b"Content-Length: abc\r\n\r\n")
        self.assertRawOpenAIError(data, 400, "malformed_request")

    def test_header_block_over_64_kib_gets_431(self):
        data = self.raw_exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 70000 +
                                 b"\r\n\r\n")
        self.assertRawOpenAIError(data, 431, "headers_too_large")

    def test_expect_100_continue_is_answered(self):
        body = json.dumps(self.openai_body("oai-ok")).encode()
        s = socket.create_connection(("127.0.0.1", self.gateway.port), timeout=5)
        try:
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body))
            s.settimeout(0.5)   # curl waits 1 s before sending the body anyway
            self.assertEqual(s.recv(25), b"HTTP/1.1 100 Continue\r\n\r\n")
            s.settimeout(5)
            s.sendall(body)
            data = b""
            while b"\r\n\r\n" not in data:
                data += s.recv(65536)
            self.assertTrue(data.startswith(b"HTTP/1.1 200 "), data[:200])
        finally:
            s.close()

    # --- upstream 4xx -----------------------------------------------------------------------------------
    def test_upstream_400_passes_through_openai(self):
        r = self.chat("oai-err-400")
        err = self.assertOpenAIError(r, 400)
        self.assertIn("fake upstream error 400", err["message"])
        self.assertEqual(len(self.fake.requests()), 1)

    def test_upstream_400_passes_through_anthropic_door_both_kinds(self):
        for model in ("ant-err-400", "oai-err-400"):
            with self.subTest(model=model):
                self.fake.reset()
                r = self.messages(model)
                err = self.assertAnthropicError(r, 400, "invalid_request_error")
                self.assertIn("fake upstream error 400", err["message"])

    def test_upstream_400_does_not_fall_back(self):
        r = self.chat("no-fallback-on-400")
        self.assertOpenAIError(r, 400)
        self.assertEqual([q["model"] for q in self.fake.requests()], ["err-400"])

    def test_upstream_500_in_client_shape(self):
        r = self.chat("ant-err-500")
        self.assertOpenAIError(r, 500)
        r = self.messages("oai-err-500")
        self.assertAnthropicError(r, 500, "api_error")

    def test_final_429_keeps_the_upstreams_retry_after(self):
        # The chain gives up (one target, its retry would wait past nothing): the client's SDK
        # still needs the upstream's Retry-After to back off properly.
        r = self.chat("oai-err-429")
        self.assertOpenAIError(r, 429)
        self.assertEqual(r.headers.get("retry-after"), "1")
        self.assertEqual(r.headers.get("x-switchyard-attempts"), str(len(self.fake.requests())))
        r = self.chat("oai-err-500")
        self.assertOpenAIError(r, 500)
        self.assertIsNone(r.headers.get("retry-after"))
        self.assertGreaterEqual(int(r.headers.get("x-switchyard-attempts")), 1)

    def test_error_responses_are_json_with_request_id(self):
        r = self.client.post("/v1/chat/completions", raw=b"nope", headers={"x-request-id": "e-1"})
        self.assertEqual(r.headers.get("x-request-id"), "e-1")
        json.loads(r.body)


if __name__ == "__main__":
    unittest.main()
