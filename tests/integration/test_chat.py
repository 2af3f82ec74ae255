"""Chat through both front doors to both upstream shapes (4 combinations), streaming and not,
tool calls each way, and what the upstream receives (translation, pass-through, auth headers)."""

import json
import os
import re
import socket
import time
import unittest

import fake_upstream as fu
from harness import GatewayTestCase, EXPECTED_COST

TOOLS_OPENAI = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"]}}}]
TOOLS_ANTHROPIC = [{"name": "get_weather", "description": "Weather for a city",
                    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                                     "required": ["city"]}}]


def text_of(content):
    """Anthropic message content (string or blocks) → its text."""
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content if b.get("type") == "text")


def openai_stream_text(sse):
    text = ""
    for _, ev in sse.json_events():
        for ch in ev.get("choices", []) if isinstance(ev, dict) else []:
            text += ch.get("delta", {}).get("content") or ""
    return text


def anthropic_stream_text(sse):
    return "".join(ev["delta"].get("text", "") for _, ev in sse.json_events()
                   if isinstance(ev, dict) and ev.get("type") == "content_block_delta")


class ChatTest(GatewayTestCase):
    # --- helpers -----------------------------------------------------------------------------------
    def upstream_request(self, suffix):
        reqs = self.fake.requests(path_suffix=suffix)
        self.assertEqual(len(reqs), 1, [r["path"] for r in self.fake.requests()])
        return reqs[0]

    def assertServedBy(self, resp, model, provider, attempts="1"):
        self.assertEqual(resp.headers.get("x-switchyard-model"), model)
        self.assertEqual(resp.headers.get("x-switchyard-provider"), provider)
        self.assertEqual(resp.headers.get("x-switchyard-attempts"), attempts)

    def assertOpenAICompletion(self, r, model):
        self.assertEqual(r.status, 200, r)
        self.assertIn("application/json", r.headers.get("content-type", ""))
        body = r.json()
        self.assertEqual(body["object"], "chat.completion")
        self.assertIsInstance(body["id"], str)
        self.assertIsInstance(body["created"], int)
        self.assertIsInstance(body["model"], str)   # the value: test_response_model_is_public_name
        choice = body["choices"][0]
        self.assertEqual(choice["index"], 0)
        self.assertEqual(choice["message"]["role"], "assistant")
        return body

    def assertAnthropicMessage(self, r, model):
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["type"], "message")
        self.assertEqual(body["role"], "assistant")
        self.assertTrue(body["id"])
        self.assertIsInstance(body["model"], str)   # the value: test_response_model_is_public_name
        self.assertIn("stop_sequence", body)
        return body

    def assertOpenAIStream(self, sse):
        self.assertEqual(sse.status, 200, sse.body)
        self.assertIn("text/event-stream", sse.headers.get("content-type", ""))
        self.assertIsNone(sse.transport_error)
        self.assertTrue(sse.events)
        self.assertEqual(sse.events[-1][1], "[DONE]")
        for name, ev in sse.json_events():
            self.assertIsNone(name)
            self.assertIsInstance(ev, dict, ev)
            self.assertNotIn("error", ev)
            self.assertEqual(ev["object"], "chat.completion.chunk")

    def assertAnthropicStream(self, sse):
        self.assertEqual(sse.status, 200, sse.body)
        self.assertIn("text/event-stream", sse.headers.get("content-type", ""))
        self.assertIsNone(sse.transport_error)
        names = [n for n in sse.names() if n != "ping"]
        self.assertEqual(names[0], "message_start")
        self.assertEqual(names[-1], "message_stop")
        self.assertIn("content_block_start", names)
        self.assertIn("content_block_stop", names)
        self.assertIn("message_delta", names)
        for name, ev in sse.json_events():
            self.assertEqual(ev["type"], name)   # event name matches the data's type

    # --- non-streaming, 4 combinations ---------------------------------------------------------------
    def test_openai_door_openai_upstream(self):
        r = self.chat("oai-ok")
        body = self.assertOpenAICompletion(r, "oai-ok")
        self.assertEqual(body["choices"][0]["message"]["content"], fu.TEXT)
        self.assertEqual(body["choices"][0]["finish_reason"], "stop")
        self.assertEqual(body["usage"]["prompt_tokens"], fu.INPUT_TOKENS)
        self.assertEqual(body["usage"]["completion_tokens"], fu.OUTPUT_TOKENS)
        self.assertEqual(body["usage"]["total_tokens"], fu.INPUT_TOKENS + fu.OUTPUT_TOKENS)
        self.assertServedBy(r, "oai-ok", "oai")
        self.assertAlmostEqual(float(r.headers["x-switchyard-cost"]), EXPECTED_COST, places=9)
        up = self.upstream_request("/chat/completions")
        self.assertEqual(up["path"], "/v1/chat/completions")
        self.assertEqual(up["body"]["model"], "ok")
        self.assertEqual(up["body"]["messages"], [{"role": "user", "content": "Say hello."}])

    def test_openai_door_anthropic_upstream(self):
        r = self.chat("ant-ok", messages=[{"role": "system", "content": "Be brief."},
                                          {"role": "user", "content": "Say hello."}],
                      max_tokens=50, temperature=0.5, stop=["END"])
        body = self.assertOpenAICompletion(r, "ant-ok")
        self.assertEqual(body["choices"][0]["message"]["content"], fu.TEXT)
        self.assertEqual(body["choices"][0]["finish_reason"], "stop")
        self.assertEqual(body["usage"]["prompt_tokens"], fu.INPUT_TOKENS)
        self.assertEqual(body["usage"]["completion_tokens"], fu.OUTPUT_TOKENS)
        self.assertEqual(body["usage"]["total_tokens"], fu.INPUT_TOKENS + fu.OUTPUT_TOKENS)
        self.assertServedBy(r, "ant-ok", "ant")
        up = self.upstream_request("/messages")
        self.assertTrue(up["path"].endswith("/v1/messages"), up["path"])
        ub = up["body"]
        self.assertEqual(ub["model"], "ok")
        self.assertEqual(ub["max_tokens"], 50)
        self.assertEqual(ub["temperature"], 0.5)
        self.assertEqual(ub["stop_sequences"], ["END"])
        self.assertEqual(text_of(ub["system"]), "Be brief.")
        self.assertEqual(len(ub["messages"]), 1)
        self.assertEqual(ub["messages"][0]["role"], "user")
        self.assertEqual(text_of(ub["messages"][0]["content"]), "Say hello.")

    def test_openai_door_anthropic_upstream_gets_default_max_tokens(self):
        r = self.chat("ant-ok")
        self.assertEqual(r.status, 200, r)
        ub = self.upstream_request("/messages")["body"]
        self.assertIsInstance(ub.get("max_tokens"), int, "Anthropic requires max_tokens")
        self.assertGreater(ub["max_tokens"], 0)

    def test_anthropic_door_anthropic_upstream(self):
        r = self.messages("ant-ok", system="Be brief.", top_k=5, metadata={"user_id": "u-1"})
        body = self.assertAnthropicMessage(r, "ant-ok")
        self.assertEqual(body["content"], [{"type": "text", "text": fu.TEXT}])
        self.assertEqual(body["stop_reason"], "end_turn")
        self.assertEqual(body["usage"]["input_tokens"], fu.INPUT_TOKENS)
        self.assertEqual(body["usage"]["output_tokens"], fu.OUTPUT_TOKENS)
        self.assertServedBy(r, "ant-ok", "ant")
        self.assertAlmostEqual(float(r.headers["x-switchyard-cost"]), EXPECTED_COST, places=9)
        ub = self.upstream_request("/messages")["body"]
        self.assertEqual(ub["model"], "ok")
        self.assertEqual(ub["system"], "Be brief.")
        self.assertEqual(ub["top_k"], 5)
        self.assertEqual(ub["metadata"], {"user_id": "u-1"})
        self.assertEqual(ub["max_tokens"], 64)

    def test_anthropic_door_openai_upstream(self):
        r = self.messages("oai-ok", system="Be brief.", stop_sequences=["END"], temperature=0.2)
        body = self.assertAnthropicMessage(r, "oai-ok")
        self.assertEqual(body["content"], [{"type": "text", "text": fu.TEXT}])
        self.assertEqual(body["stop_reason"], "end_turn")
        self.assertEqual(body["usage"]["input_tokens"], fu.INPUT_TOKENS)
        self.assertEqual(body["usage"]["output_tokens"], fu.OUTPUT_TOKENS)
        self.assertServedBy(r, "oai-ok", "oai")
        ub = self.upstream_request("/chat/completions")["body"]
        self.assertEqual(ub["model"], "ok")
        self.assertEqual(ub["messages"][0]["role"] in ("system", "developer"), True, ub)
        self.assertEqual(text_of(ub["messages"][0]["content"]), "Be brief.")
        self.assertEqual(ub["messages"][1]["role"], "user")
        self.assertEqual(text_of(ub["messages"][1]["content"]), "Say hello.")
        self.assertEqual(ub.get("max_tokens", ub.get("max_completion_tokens")), 64)
        self.assertEqual(ub["stop"], ["END"])
        self.assertEqual(ub["temperature"], 0.2)

    def test_response_model_is_public_name(self):
        """Clients see the name they asked for (model or route), never the upstream id."""
        for kind in ("oai", "ant"):
            with self.subTest(door="openai", upstream=kind):
                self.assertEqual(self.chat(kind + "-ok").json()["model"], kind + "-ok")
            with self.subTest(door="anthropic", upstream=kind):
                self.assertEqual(self.messages(kind + "-ok").json()["model"], kind + "-ok")
            with self.subTest(door="openai", upstream=kind, stream=True):
                sse = self.chat(kind + "-ok", stream=True)
                models = {ev["model"] for _, ev in sse.json_events()}
                self.assertEqual(models, {kind + "-ok"})
            with self.subTest(door="anthropic", upstream=kind, stream=True):
                sse = self.messages(kind + "-ok", stream=True)
                start = dict(sse.json_events())["message_start"]["message"]
                self.assertEqual(start["model"], kind + "-ok")

    # --- streaming, 4 combinations ----------------------------------------------------------------------
    def test_stream_openai_door_openai_upstream(self):
        sse = self.chat("oai-ok", stream=True)
        self.assertOpenAIStream(sse)
        self.assertEqual(openai_stream_text(sse), fu.TEXT)
        finishes = [c["finish_reason"] for _, ev in sse.json_events() for c in ev["choices"]
                    if c.get("finish_reason")]
        self.assertEqual(finishes, ["stop"])
        self.assertServedBy(sse, "oai-ok", "oai")
        self.assertNotIn("x-switchyard-cost", sse.headers)
        ub = self.upstream_request("/chat/completions")["body"]
        self.assertIs(ub["stream"], True)
        self.assertEqual(ub["stream_options"], {"include_usage": True})

    def test_stream_openai_door_include_usage_both_upstreams(self):
        for model in ("oai-ok", "ant-ok"):
            with self.subTest(model=model):
                sse = self.chat(model, stream=True, stream_options={"include_usage": True})
                self.assertOpenAIStream(sse)
                self.assertEqual(openai_stream_text(sse), fu.TEXT)
                usage = [ev["usage"] for _, ev in sse.json_events() if ev.get("usage")]
                self.assertEqual(len(usage), 1, sse.raw)
                self.assertEqual(usage[0]["prompt_tokens"], fu.INPUT_TOKENS)
                self.assertEqual(usage[0]["completion_tokens"], fu.OUTPUT_TOKENS)
                self.assertEqual(usage[0]["total_tokens"], fu.INPUT_TOKENS + fu.OUTPUT_TOKENS)

    def test_stream_include_usage_gets_an_estimate_when_the_upstream_sends_none(self):
        sse = self.chat("oai-no-usage", stream=True, stream_options={"include_usage": True})
        self.assertOpenAIStream(sse)
        self.assertEqual(openai_stream_text(sse), fu.TEXT)
        evs = [ev for _, ev in sse.json_events()]
        self.assertEqual(sse.events[-1][1], "[DONE]")
        last = evs[-1]                       # the usage chunk comes last, just before [DONE]
        self.assertEqual(last["choices"], [])
        self.assertEqual(last["id"], evs[0]["id"])
        self.assertEqual(last["model"], "oai-no-usage")
        u = last["usage"]
        self.assertGreater(u["prompt_tokens"], 0)
        self.assertGreater(u["completion_tokens"], 0)
        self.assertEqual(u["total_tokens"], u["prompt_tokens"] + u["completion_tokens"])
        self.assertIs(u["switchyard_estimated"], True)
        self.assertEqual(sum(1 for ev in evs if ev.get("usage")), 1)
        # Not asked for: no usage chunk is made up.
        sse = self.chat("oai-no-usage", stream=True)
        self.assertFalse([ev for _, ev in sse.json_events() if ev.get("usage")], sse.raw)
        self.assertEqual(sse.events[-1][1], "[DONE]")

    def test_stream_openai_door_anthropic_upstream(self):
        sse = self.chat("ant-ok", stream=True)
        self.assertOpenAIStream(sse)
        self.assertEqual(openai_stream_text(sse), fu.TEXT)
        evs = [ev for _, ev in sse.json_events()]
        self.assertEqual(evs[0]["choices"][0]["delta"].get("role"), "assistant")
        self.assertEqual(len({ev["id"] for ev in evs}), 1, "all chunks share one id")
        finishes = [c["finish_reason"] for ev in evs for c in ev["choices"] if c.get("finish_reason")]
        self.assertEqual(finishes, ["stop"])
        self.assertServedBy(sse, "ant-ok", "ant")
        ub = self.upstream_request("/messages")["body"]
        self.assertIs(ub["stream"], True)

    def test_stream_anthropic_door_anthropic_upstream(self):
        sse = self.messages("ant-ok", stream=True)
        self.assertAnthropicStream(sse)
        self.assertEqual(anthropic_stream_text(sse), fu.TEXT)
        evs = dict((n, ev) for n, ev in sse.json_events())
        self.assertEqual(evs["message_start"]["message"]["usage"]["input_tokens"], fu.INPUT_TOKENS)
        self.assertEqual(evs["message_delta"]["delta"]["stop_reason"], "end_turn")
        self.assertEqual(evs["message_delta"]["usage"]["output_tokens"], fu.OUTPUT_TOKENS)
        self.assertServedBy(sse, "ant-ok", "ant")

    def test_stream_anthropic_door_openai_upstream(self):
        sse = self.messages("oai-ok", stream=True)
        self.assertAnthropicStream(sse)
        self.assertEqual(anthropic_stream_text(sse), fu.TEXT)
        evs = dict((n, ev) for n, ev in sse.json_events())
        start = evs["message_start"]["message"]
        self.assertEqual(start["content"], [])
        self.assertEqual(evs["content_block_start"]["content_block"], {"type": "text", "text": ""})
        self.assertEqual(evs["message_delta"]["delta"]["stop_reason"], "end_turn")
        self.assertEqual(evs["message_delta"]["usage"]["output_tokens"], fu.OUTPUT_TOKENS)
        self.assertServedBy(sse, "oai-ok", "oai")
        ub = self.upstream_request("/chat/completions")["body"]
        self.assertIs(ub["stream"], True)
        self.assertEqual(ub["stream_options"], {"include_usage": True})

    # --- tool calls ---------------------------------------------------------------------------------------
    def assertOpenAIToolCall(self, body, call_id):
        choice = body["choices"][0]
        self.assertEqual(choice["finish_reason"], "tool_calls")
        calls = choice["message"]["tool_calls"]
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0]["id"], call_id)
        self.assertEqual(calls[0]["type"], "function")
        self.assertEqual(calls[0]["function"]["name"], "get_weather")
        self.assertIsInstance(calls[0]["function"]["arguments"], str)
        self.assertEqual(json.loads(calls[0]["function"]["arguments"]), fu.TOOL_ARGS)

    def assertAnthropicToolUse(self, body, call_id):
        self.assertEqual(body["stop_reason"], "tool_use")
        uses = [b for b in body["content"] if b["type"] == "tool_use"]
        self.assertEqual(len(uses), 1, body)
        self.assertEqual(uses[0]["id"], call_id)
        self.assertEqual(uses[0]["name"], "get_weather")
        self.assertEqual(uses[0]["input"], fu.TOOL_ARGS)

    def test_tools_openai_door_openai_upstream(self):
        r = self.chat("oai-tools", tools=TOOLS_OPENAI, tool_choice="auto")
        self.assertOpenAIToolCall(self.assertOpenAICompletion(r, "oai-tools"), "call_fake123")
        ub = self.upstream_request("/chat/completions")["body"]
        self.assertEqual(ub["tools"], TOOLS_OPENAI)
        self.assertEqual(ub["tool_choice"], "auto")

    def test_tools_openai_door_anthropic_upstream(self):
        r = self.chat("ant-tools", tools=TOOLS_OPENAI, tool_choice="required")
        self.assertOpenAIToolCall(self.assertOpenAICompletion(r, "ant-tools"), "toolu_fake123")
        ub = self.upstream_request("/messages")["body"]
        self.assertEqual(ub["tools"], TOOLS_ANTHROPIC)
        self.assertEqual(ub["tool_choice"], {"type": "any"})

    def test_tools_anthropic_door_openai_upstream(self):
        r = self.messages("oai-tools", tools=TOOLS_ANTHROPIC, tool_choice={"type": "auto"})
        self.assertAnthropicToolUse(self.assertAnthropicMessage(r, "oai-tools"), "call_fake123")
        ub = self.upstream_request("/chat/completions")["body"]
        self.assertEqual(ub["tools"], TOOLS_OPENAI)
        self.assertEqual(ub["tool_choice"], "auto")

    def test_tools_anthropic_door_anthropic_upstream(self):
        r = self.messages("ant-tools", tools=TOOLS_ANTHROPIC)
        body = self.assertAnthropicMessage(r, "ant-tools")
        self.assertAnthropicToolUse(body, "toolu_fake123")
        self.assertEqual(body["content"][0], {"type": "text", "text": "Let me check."})

    def test_tool_result_round_trip_openai_door_to_anthropic(self):
        msgs = [{"role": "user", "content": "Weather in Paris?"},
                {"role": "assistant", "content": None, "tool_calls": [{
                    "id": "call_1", "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "18C and sunny"}]
        r = self.chat("ant-ok", messages=msgs, tools=TOOLS_OPENAI)
        self.assertEqual(r.status, 200, r)
        ub = self.upstream_request("/messages")["body"]
        roles = [m["role"] for m in ub["messages"]]
        self.assertEqual(roles, ["user", "assistant", "user"])
        use = [b for b in ub["messages"][1]["content"] if b["type"] == "tool_use"]
        self.assertEqual(use, [{"type": "tool_use", "id": "call_1", "name": "get_weather",
                                "input": {"city": "Paris"}}])
        res = [b for b in ub["messages"][2]["content"] if b["type"] == "tool_result"]
        self.assertEqual(len(res), 1)
        self.assertEqual(res[0]["tool_use_id"], "call_1")
        self.assertEqual(text_of(res[0]["content"]) if not isinstance(res[0]["content"], str)
                         else res[0]["content"], "18C and sunny")

    def test_tool_result_round_trip_anthropic_door_to_openai(self):
        msgs = [{"role": "user", "content": "Weather in Paris?"},
                {"role": "assistant", "content": [
                    {"type": "text", "text": "Checking."},
                    {"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                     "input": {"city": "Paris"}}]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C and sunny"}]}]
        r = self.messages("oai-ok", messages=msgs, tools=TOOLS_ANTHROPIC)
        self.assertEqual(r.status, 200, r)
        ub = self.upstream_request("/chat/completions")["body"]
        asst = [m for m in ub["messages"] if m["role"] == "assistant"]
        self.assertEqual(len(asst), 1)
        calls = asst[0]["tool_calls"]
        self.assertEqual(calls[0]["id"], "toolu_1")
        self.assertEqual(calls[0]["type"], "function")
        self.assertEqual(calls[0]["function"]["name"], "get_weather")
        self.assertEqual(json.loads(calls[0]["function"]["arguments"]), {"city": "Paris"})
        tool_msgs = [m for m in ub["messages"] if m["role"] == "tool"]
        self.assertEqual(len(tool_msgs), 1)
        self.assertEqual(tool_msgs[0]["tool_call_id"], "toolu_1")
        self.assertEqual(text_of(tool_msgs[0]["content"]) if not isinstance(
            tool_msgs[0]["content"], str) else tool_msgs[0]["content"], "18C and sunny")

    def openai_stream_tool_calls(self, sse):
        calls = {}
        for _, ev in sse.json_events():
            for ch in ev.get("choices", []):
                for tc in ch.get("delta", {}).get("tool_calls") or []:
                    c = calls.setdefault(tc["index"], {"id": None, "name": None, "args": ""})
                    c["id"] = tc.get("id") or c["id"]
                    fn = tc.get("function") or {}
                    c["name"] = fn.get("name") or c["name"]
                    c["args"] += fn.get("arguments") or ""
        return calls

    def test_stream_tools_openai_door_both_upstreams(self):
        for model, call_id in (("oai-tools", "call_fake123"), ("ant-tools", "toolu_fake123")):
            with self.subTest(model=model):
                sse = self.chat(model, stream=True, tools=TOOLS_OPENAI)
                self.assertOpenAIStream(sse)
                calls = self.openai_stream_tool_calls(sse)
                self.assertEqual(list(calls), [0], sse.raw)
                self.assertEqual(calls[0]["id"], call_id)
                self.assertEqual(calls[0]["name"], "get_weather")
                self.assertEqual(json.loads(calls[0]["args"]), fu.TOOL_ARGS)
                finishes = [c["finish_reason"] for _, ev in sse.json_events()
                            for c in ev["choices"] if c.get("finish_reason")]
                self.assertEqual(finishes, ["tool_calls"])

    def test_stream_tools_anthropic_door_both_upstreams(self):
        for model, call_id in (("oai-tools", "call_fake123"), ("ant-tools", "toolu_fake123")):
            with self.subTest(model=model):
                sse = self.messages(model, stream=True, tools=TOOLS_ANTHROPIC)
                self.assertAnthropicStream(sse)
                evs = sse.json_events()
                starts = [ev for n, ev in evs if n == "content_block_start"
                          and ev["content_block"]["type"] == "tool_use"]
                self.assertEqual(len(starts), 1, sse.raw)
                block = starts[0]["content_block"]
                self.assertEqual(block["id"], call_id)
                self.assertEqual(block["name"], "get_weather")
                idx = starts[0]["index"]
                partial = "".join(ev["delta"]["partial_json"] for n, ev in evs
                                  if n == "content_block_delta" and ev["index"] == idx
                                  and ev["delta"]["type"] == "input_json_delta")
                self.assertEqual(json.loads(partial), fu.TOOL_ARGS)
                stops = [ev["delta"]["stop_reason"] for n, ev in evs if n == "message_delta"]
                self.assertEqual(stops, ["tool_use"])

    # --- what the upstream receives -------------------------------------------------------------------
    def test_unknown_fields_pass_through_and_model_is_replaced(self):
        extra = {"x_vendor_option": {"nested": [1, 2, {"k": "v"}]}, "seed": 7,
                 "logit_bias": {"50256": -100}, "user": "alice", "n": 1}
        r = self.chat("oai-echo", **extra)
        self.assertEqual(r.status, 200, r)
        ub = self.upstream_request("/chat/completions")["body"]
        self.assertEqual(ub["model"], "echo")
        for k, v in extra.items():
            self.assertEqual(ub[k], v, k)
        self.assertNotIn("stream_options", ub)   # only streams get include_usage

    def test_stream_keeps_client_stream_options(self):
        sse = self.chat("oai-ok", stream=True, stream_options={"include_usage": False},
                        x_extra=True)
        self.assertOpenAIStream(sse)
        ub = self.upstream_request("/chat/completions")["body"]
        self.assertIs(ub["stream_options"]["include_usage"], True)
        self.assertIs(ub["x_extra"], True)

    def test_openai_upstream_auth_and_extra_headers(self):
        self.chat("oai-ok", headers={"Authorization": "Bearer client-secret"})
        h = self.upstream_request("/chat/completions")["headers"]
        self.assertEqual(h.get("authorization"), "Bearer sk-test-oai-key")
        self.assertEqual(h.get("x-team"), "integration")
        self.assertNotIn("x-api-key", h)
        self.assertIn("application/json", h.get("content-type", ""))

    def test_anthropic_upstream_auth_and_extra_headers(self):
        self.messages("ant-ok", headers={"x-api-key": "client-secret"})
        h = self.upstream_request("/messages")["headers"]
        self.assertEqual(h.get("x-api-key"), "sk-ant-test-key")
        self.assertEqual(h.get("anthropic-version"), "2023-06-01")
        self.assertEqual(h.get("x-team"), "integration")
        self.assertNotIn("authorization", h)

    def test_client_credentials_never_reach_the_other_kind(self):
        self.chat("ant-ok", headers={"Authorization": "Bearer client-secret"})
        h = self.upstream_request("/messages")["headers"]
        self.assertNotIn("client-secret", json.dumps(h))

    # --- request ids ------------------------------------------------------------------------------------
    def test_request_id_echoed_and_forwarded(self):
        r = self.chat("oai-ok", headers={"x-request-id": "it-req-123"})
        self.assertEqual(r.headers.get("x-request-id"), "it-req-123")
        h = self.upstream_request("/chat/completions")["headers"]
        self.assertEqual(h.get("x-request-id"), "it-req-123")

    def test_request_id_generated_when_absent(self):
        ids = set()
        for _ in range(2):
            r = self.chat("oai-ok")
            rid = r.headers.get("x-request-id")
            self.assertTrue(rid, r.headers)
            ids.add(rid)
        self.assertEqual(len(ids), 2)
        s = self.messages("ant-ok", stream=True)
        self.assertTrue(s.headers.get("x-request-id"))

    def test_request_id_on_every_response(self):
        for r in (self.client.get("/healthz"), self.client.get("/v1/models"),
                  self.client.get("/readyz"),
                  self.client.post("/v1/messages", raw=b"{", headers=self.ANTHROPIC_HEADERS),
                  self.chat("oai-ok", temperature=9)):
            self.assertTrue(r.headers.get("x-request-id"), r)
        r = self.chat("oai-ok", temperature=9, headers={"x-request-id": "it-err-1"})
        self.assertEqual(r.headers.get("x-request-id"), "it-err-1")
        r = self.chat("no-such-model", headers={"x-request-id": "it-err-2"})   # last: see report
        self.assertEqual(r.headers.get("x-request-id"), "it-err-2")


class LargeAnswerTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models()
        cfg.data["server"]["max_body_bytes"] = 8 << 20

    def test_large_answer_to_a_slow_reader_arrives_whole(self):
        # A 6 MB answer does not fit the socket buffers of a reader this slow: the gateway's first non-blocking write
        # sends part of it and the rest must follow asynchronously, byte for byte.
        big = "fox " * (1536 * 1024)   # 6 MB: more than the kernel lets one write queue
        body = json.dumps({"model": "oai-echo", "messages": [{"role": "user", "content": big}]}).encode()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)   # before connect: a small window
        s.connect(("127.0.0.1", self.gateway.port))
        try:
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body) + body)
            data = b""
            for _ in range(20):            # read slowly at first so the gateway's send buffer fills
                data += s.recv(1024)
                time.sleep(0.02)
            s.settimeout(20)
            head, _, rest = data.partition(b"\r\n\r\n")
            while not _:
                data += s.recv(65536)
                head, _, rest = data.partition(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            while len(rest) < length:
                chunk = s.recv(1 << 20)
                self.assertTrue(chunk, "connection closed before the whole answer arrived")
                rest += chunk
        finally:
            s.close()
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head[:200])
        answer = json.loads(rest[:length])
        self.assertEqual(answer["model"], "oai-echo")
        echoed = json.loads(answer["choices"][0]["message"]["content"])
        self.assertEqual(echoed["messages"][0]["content"], big)
        self.assertEqual(echoed["model"], "echo")


class ConcurrencyTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok", "slow@50"))

    def test_parallel_streams_and_requests(self):
        import concurrent.futures as cf

        def one(i):
            if i % 3 == 0:
                sse = self.chat("oai-slow", stream=True)
                return openai_stream_text(sse)
            if i % 3 == 1:
                sse = self.messages("ant-slow", stream=True)
                return anthropic_stream_text(sse)
            return self.chat("ant-ok").json()["choices"][0]["message"]["content"]

        with cf.ThreadPoolExecutor(16) as pool:
            results = list(pool.map(one, range(24)))
        self.assertEqual(results, [fu.TEXT] * 24)
        self.assertEqual(len(self.fake.requests()), 24)

    def test_keep_alive_connection_reused(self):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway.port, timeout=10)
        try:
            for i in range(3):
                conn.request("POST", "/v1/chat/completions",
                             body=json.dumps(self.openai_body("oai-ok")),
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                self.assertEqual(r.status, 200)
                self.assertEqual(json.loads(r.read())["choices"][0]["message"]["content"],
                                 fu.TEXT)
        finally:
            conn.close()


class EnvInterpolationTest(GatewayTestCase):
    """${VAR} and ${VAR:-default} in the config reach the upstream request."""

    @classmethod
    def setUpClass(cls):
        os.environ["SY_IT_OAI_KEY"] = "sk-from-env"
        os.environ.pop("SY_IT_UNSET_TEAM", None)
        try:
            super().setUpClass()
        finally:
            os.environ.pop("SY_IT_OAI_KEY", None)

    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok",))
        cfg.data["providers"]["oai"]["api_key"] = "${SY_IT_OAI_KEY}"
        cfg.data["providers"]["oai"]["headers"] = {"X-Team": "${SY_IT_UNSET_TEAM:-fallback-team}"}

    def test_env_values_used(self):
        self.assertEqual(self.chat("oai-ok").status, 200)
        h = self.fake.requests()[0]["headers"]
        self.assertEqual(h.get("authorization"), "Bearer sk-from-env")
        self.assertEqual(h.get("x-team"), "fallback-team")


class CountTokensTest(GatewayTestCase):
    """POST /v1/messages/count_tokens: asked upstream on Anthropic-kind targets, estimated on others."""

    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok", "err-500"))
        cfg.route("ant-500-then-oai", ["ant-err-500", "oai-ok"])

    BODY = {"messages": [{"role": "user", "content": "How many tokens is this?"}],
            "system": "Be brief."}

    def count(self, model, **extra):
        return self.client.post("/v1/messages/count_tokens", {"model": model, **self.BODY, **extra},
                                headers={**self.ANTHROPIC_HEADERS, "x-request-id": "ct-" + model})

    def test_anthropic_target_asks_its_upstream(self):
        r = self.count("ant-ok")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"input_tokens": fu.INPUT_TOKENS})
        self.assertIsNone(r.headers.get("x-switchyard-usage-estimated"))
        self.assertEqual(r.headers.get("x-switchyard-provider"), "ant")
        up = self.fake.requests(path_suffix="/messages/count_tokens")
        self.assertEqual(len(up), 1)
        self.assertEqual(up[0]["body"]["model"], "ok")              # the upstream id
        self.assertEqual(up[0]["body"]["system"], "Be brief.")      # the rest untouched
        self.assertEqual(up[0]["headers"].get("x-api-key"), "sk-ant-test-key")
        self.assertNotIn("max_tokens", up[0]["body"])

    def test_other_targets_are_estimated_without_an_upstream_call(self):
        r = self.count("oai-ok")
        self.assertEqual(r.status, 200, r)
        n = r.json()["input_tokens"]
        self.assertGreater(n, 3)
        self.assertEqual(r.headers.get("x-switchyard-usage-estimated"), "true")
        self.assertEqual(self.fake.requests(), [])

    def test_falls_back_like_chat(self):
        r = self.count("ant-500-then-oai")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("x-switchyard-model"), "oai-ok")
        self.assertEqual(r.headers.get("x-switchyard-usage-estimated"), "true")
        self.assertGreaterEqual(len(self.fake.requests(path_suffix="/messages/count_tokens")), 1)

    def test_errors_are_anthropic_shaped(self):
        self.assertAnthropicError(self.count("no-such-model"), 404, "not_found_error")
        r = self.client.post("/v1/messages/count_tokens", {"model": "ant-ok"},
                             headers=self.ANTHROPIC_HEADERS)
        self.assertAnthropicError(r, 400, "invalid_request_error")   # messages missing
        r = self.client.get("/v1/messages/count_tokens", headers=self.ANTHROPIC_HEADERS)
        self.assertAnthropicError(r, 405)
        self.assertEqual(r.headers.get("allow"), "POST")
        self.assertAnthropicError(self.count("ant-err-500"), 500, "api_error")

    def test_logged_without_tokens_or_cost(self):
        self.assertEqual(self.count("ant-ok").status, 200)
        row, _ = self.logged("ct-ant-ok")
        self.assertEqual((row["endpoint"], row["status"], row["outcome"]),
                         ("/v1/messages/count_tokens", 200, "ok"))
        self.assertEqual((row["input_tokens"], row["output_tokens"], row["cost_usd"]), (0, 0, 0))
        self.assertEqual(json.loads(row["response_body"]), {"input_tokens": fu.INPUT_TOKENS})


class EmbeddingsAndModelsTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok",))
        cfg.route("smart", ["oai-ok", "ant-ok"])
        cfg.model("hidden-embed", "oai", "embed-ok", type_="embedding")
        cfg.data["models"]["oai-ok"]["context_window"] = 128000
        cfg.data["models"]["oai-ok"]["tags"] = ["premium", "open"]

    def test_embeddings_float(self):
        r = self.client.post("/v1/embeddings", {"model": "oai-embed", "input": ["a", "b"]},
                             headers=self.OPENAI_HEADERS)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["object"], "list")
        self.assertEqual([d["index"] for d in body["data"]], [0, 1])
        for d in body["data"]:
            self.assertEqual(d["object"], "embedding")
            self.assertEqual(len(d["embedding"]), fu.EMBED_DIM)
            for got, want in zip(d["embedding"], fu.embedding_vector(d["index"])):
                self.assertAlmostEqual(got, want, places=5)
        self.assertEqual(body["usage"]["prompt_tokens"], 2 * fu.EMBED_TOKENS_PER_INPUT)
        self.assertEqual(r.headers.get("x-switchyard-model"), "oai-embed")
        self.assertEqual(r.headers.get("x-switchyard-provider"), "oai")
        up = self.fake.requests(path_suffix="/embeddings")
        self.assertEqual(len(up), 1)
        self.assertEqual(up[0]["body"]["model"], "embed-ok")
        self.assertEqual(up[0]["body"]["input"], ["a", "b"])
        self.assertEqual(up[0]["headers"].get("authorization"), "Bearer sk-test-oai-key")
        self.assertEqual(body["model"], "oai-embed")

    def test_embeddings_base64_passes_through(self):
        import base64
        import struct
        r = self.client.post("/v1/embeddings", {"model": "oai-embed", "input": "hello",
                                                "encoding_format": "base64"})
        self.assertEqual(r.status, 200, r)
        emb = r.json()["data"][0]["embedding"]
        self.assertIsInstance(emb, str)
        vec = struct.unpack("<%df" % fu.EMBED_DIM, base64.b64decode(emb))
        for got, want in zip(vec, fu.embedding_vector(0)):
            self.assertAlmostEqual(got, want, places=5)
        self.assertEqual(self.fake.requests(path_suffix="/embeddings")[0]["body"]
                         ["encoding_format"], "base64")

    def test_embeddings_invalid_input_is_400(self):
        r = self.client.post("/v1/embeddings", {"model": "oai-embed", "input": []})
        self.assertOpenAIError(r, 400)
        self.assertEqual(self.fake.requests(), [])

    def test_models_lists_models_and_routes(self):
        r = self.client.get("/v1/models")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["object"], "list")
        ids = [m["id"] for m in body["data"]]
        for name in ("oai-ok", "ant-ok", "oai-embed", "hidden-embed", "smart"):
            self.assertIn(name, ids)
        self.assertEqual(len(ids), len(set(ids)))
        for m in body["data"]:
            self.assertEqual(m["object"], "model")
            self.assertIsInstance(m.get("owned_by"), str)
            self.assertIsInstance(m.get("created"), int)
        by_id = {m["id"]: m for m in body["data"]}
        self.assertEqual(by_id["oai-ok"]["context_window"], 128000)
        self.assertEqual(by_id["oai-ok"]["tags"], ["premium", "open"])
        self.assertNotIn("tags", by_id["ant-ok"])       # none configured
        self.assertNotIn("context_window", by_id["smart"])   # a route, not one model

    def test_route_serves_through_its_chain(self):
        r = self.chat("smart")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("x-switchyard-model"), "oai-ok")
        self.assertEqual(r.json()["model"], "smart")


if __name__ == "__main__":
    unittest.main()
