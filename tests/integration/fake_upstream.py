#!/usr/bin/python3
"""A scriptable fake LLM upstream for switchyard's integration and conformance tests.

One asyncio server that speaks raw HTTP/1.1 (written by hand so it can misbehave at the byte
level) and serves both wire formats:

  OpenAI-shaped     POST .../chat/completions, POST .../embeddings, GET .../models
  Anthropic-shaped  POST .../messages            (GET .../models with an anthropic-version header)
                    POST .../messages/count_tokens  {"input_tokens": INPUT_TOKENS}

Routing is by path suffix, so any base_url prefix works (".../v1/chat/completions",
".../openai/v1/chat/completions", ...).

What it does is chosen by the upstream model id of the request, `NAME` or `NAME@PARAM`:

  ok                 a normal answer (any unknown model id behaves like ok)
  echo               the answer text is the JSON of the request body it received
  tools              a tool call (streamed: tool call arguments arrive in fragments)
  err-NNN            HTTP NNN with the provider's error body (err-429 adds Retry-After: PARAM|1)
  stall-headers      reads the request and never answers
  stall-mid-stream   sends headers and part of the body, then goes silent
  reset-mid-stream   sends headers and part of the body, then resets the TCP connection
  error-event        streams a few events, then an in-band error event (Anthropic `event: error`,
                     OpenAI `data: {"error":...}`), then ends the body cleanly
  malformed-json     200 with a body that is not JSON (streams: the first data line is not JSON)
  malformed-mid-stream  streams: a few valid events, then data lines that are not JSON
  truncated-stream   streams a few chunks and ends the HTTP body cleanly without [DONE] /
                     message_stop (non-streaming: closes before Content-Length bytes were sent)
  no-usage           a normal answer without any usage numbers
  slow               waits PARAM ms (default 200) before each chunk (before the body when not
                     streaming)

Control API (all JSON):
  POST /_control/script   {"model": "m", "responses": ["err-500", "ok"]} queues behaviours
                          for the next requests whose upstream model is "m"; then normal again.
  GET  /_control/requests every request received so far: method, path, headers (lower-cased
                          names), body (parsed JSON, or text), model, behaviour, t (monotonic s).
                          Optional ?model=... and ?path_suffix=... filters.
  POST /_control/reset    forgets scripts and recorded requests.

Run standalone: `python3 fake_upstream.py --port 0 --print-port`, or in-process:
`fake = fake_upstream.start_in_thread()` (fake.port, fake.script(), fake.requests(), fake.stop()).

Fixed numbers tests rely on: every chat answer reports INPUT_TOKENS input tokens and
len(TEXT_PIECES) output tokens; embeddings report EMBED_TOKENS_PER_INPUT tokens per input.
"""

import argparse
import asyncio
import base64
import json
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid

TEXT_PIECES = ["Hello", " from", " the", " fake", " upstream."]
TEXT = "".join(TEXT_PIECES)
INPUT_TOKENS = 12
OUTPUT_TOKENS = len(TEXT_PIECES)
TOOL_ARGS = {"city": "Paris", "unit": "celsius"}
TOOL_ARG_FRAGMENTS = ['{"ci', 'ty": "Par', 'is", "unit"', ': "celsius"}']
EMBED_DIM = 8
EMBED_TOKENS_PER_INPUT = 3
KNOWN_MODELS = ["ok", "echo", "tools", "err-429", "err-500", "err-400", "stall-headers",
                "stall-mid-stream", "reset-mid-stream", "error-event", "malformed-json",
                "truncated-stream", "no-usage", "slow", "malformed-mid-stream"]

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 408: "Request Timeout", 409: "Conflict", 413: "Payload Too Large",
           422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
           529: "Overloaded"}

ANTHROPIC_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error",
                         403: "permission_error", 404: "not_found_error",
                         413: "request_too_large", 429: "rate_limit_error", 500: "api_error",
                         503: "overloaded_error", 529: "overloaded_error"}


def embedding_vector(index):
    return [round(0.01 * (index + 1) * (d + 1), 6) for d in range(EMBED_DIM)]


def _id(prefix, n=24):
    return prefix + uuid.uuid4().hex[:n]


class Request:
    def __init__(self, method, target, headers, body):
        self.method = method
        parsed = urllib.parse.urlsplit(target)
        self.path = parsed.path
        self.query = urllib.parse.parse_qs(parsed.query)
        self.headers = headers          # dict: lower-cased name -> value (last wins)
        self.raw_body = body
        self.json = None
        if body:
            try:
                self.json = json.loads(body)
            except ValueError:
                self.json = None

    @property
    def model(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("model"), str):
            return self.json["model"]
        return ""

    @property
    def stream(self):
        return isinstance(self.json, dict) and self.json.get("stream") is True


class Behaviour:
    def __init__(self, spec):
        self.spec = spec
        name, _, param = spec.partition("@")
        self.name = name
        self.param = param
        m = re.fullmatch(r"err-(\d{3})", name)
        self.error_status = int(m.group(1)) if m else None

    def param_float(self, default):
        try:
            return float(self.param)
        except ValueError:
            return default


class Connection:
    """Writes one HTTP/1.1 response (plain or chunked) on an asyncio stream."""

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer

    async def head(self, status, headers):
        lines = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status"))]
        lines += ["%s: %s" % (k, v) for k, v in headers]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self.writer.drain()

    async def full(self, status, body, content_type="application/json", extra=()):
        data = body if isinstance(body, bytes) else body.encode()
        headers = [("Content-Type", content_type), ("Content-Length", str(len(data))),
                   ("x-request-id", _id("req_"))] + list(extra)
        await self.head(status, headers)
        self.writer.write(data)
        await self.writer.drain()

    async def chunk(self, data):
        data = data if isinstance(data, bytes) else data.encode()
        if data:
            self.writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            await self.writer.drain()

    async def end_chunks(self):
        self.writer.write(b"0\r\n\r\n")
        await self.writer.drain()

    async def stall(self):
        """Goes silent until the peer closes the connection."""
        try:
            while await self.reader.read(65536):
                pass
        except (ConnectionError, OSError):
            pass

    async def reset(self):
        """Lets what was written reach the peer, then resets the connection (RST)."""
        await self.writer.drain()
        await asyncio.sleep(0.05)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


SSE_HEADERS = [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache"),
               ("Transfer-Encoding", "chunked")]


class FakeUpstream:
    def __init__(self):
        self._lock = threading.Lock()
        self._scripts = {}
        self._requests = []
        self.port = None
        self._server = None
        self._loop = None
        self._thread = None

    # ----- state shared with tests (thread-safe) ---------------------------------------------
    def script(self, model, responses):
        with self._lock:
            self._scripts.setdefault(model, []).extend(responses)

    def requests(self, model=None, path_suffix=None):
        with self._lock:
            out = list(self._requests)
        if model is not None:
            out = [r for r in out if r["model"] == model]
        if path_suffix is not None:
            out = [r for r in out if r["path"].endswith(path_suffix)]
        return out

    def reset(self):
        with self._lock:
            self._scripts.clear()
            self._requests.clear()

    def _next_behaviour(self, req):
        with self._lock:
            queue = self._scripts.get(req.model)
            if queue:
                return Behaviour(queue.pop(0))
        return Behaviour(req.model or "ok")

    def _record(self, req, behaviour):
        body = req.json if req.json is not None else req.raw_body.decode("utf-8", "replace")
        with self._lock:
            self._requests.append({"method": req.method, "path": req.path,
                                   "headers": dict(req.headers), "body": body,
                                   "model": req.model, "behaviour": behaviour.spec,
                                   "t": time.monotonic()})

    # ----- server ------------------------------------------------------------------------------
    async def start(self, host="127.0.0.1", port=0):
        self._server = await asyncio.start_server(self._serve_connection, host, port,
                                                  limit=1 << 20)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _read_request(self, reader):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        body = b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                body += await reader.readexactly(size)
                await reader.readexactly(2)
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        return Request(method, target, headers, body)

    async def _serve_connection(self, reader, writer):
        conn = Connection(reader, writer)
        try:
            while True:
                try:
                    req = await self._read_request(reader)
                except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                    break
                if req is None:
                    break
                keep = await self._dispatch(req, conn)
                if not keep or req.headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            raise
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - closing a broken socket
                pass

    async def _dispatch(self, req, conn):
        """Answers one request. Returns False when the connection must not be reused."""
        p = req.path
        if p.startswith("/_control/"):
            return await self._control(req, conn)
        if req.method == "GET" and p.endswith("/models"):
            return await self._models(req, conn)
        if req.method != "POST":
            await conn.full(405, json.dumps({"error": {"message": "method not allowed",
                                                       "type": "invalid_request_error",
                                                       "param": None, "code": None}}))
            return True
        if p.endswith("/chat/completions"):
            api = OpenAIChat
        elif p.endswith("/messages"):
            api = AnthropicMessages
        elif p.endswith("/messages/count_tokens"):
            api = AnthropicCountTokens
        elif p.endswith("/embeddings"):
            api = OpenAIEmbeddings
        else:
            await conn.full(404, json.dumps({"error": {"message": "no route " + p,
                                                       "type": "invalid_request_error",
                                                       "param": None, "code": None}}))
            return True
        behaviour = self._next_behaviour(req)
        self._record(req, behaviour)
        if req.json is None or not isinstance(req.json, dict):
            await api.error(conn, 400, "request body is not a JSON object")
            return True
        return await api(req, conn, behaviour).run()

    async def _control(self, req, conn):
        p = req.path
        if p == "/_control/script" and req.method == "POST":
            body = req.json or {}
            self.script(body.get("model", ""), list(body.get("responses", [])))
            await conn.full(200, json.dumps({"ok": True}))
        elif p == "/_control/requests":
            model = req.query.get("model", [None])[0]
            suffix = req.query.get("path_suffix", [None])[0]
            await conn.full(200, json.dumps(self.requests(model, suffix)))
        elif p == "/_control/reset" and req.method == "POST":
            self.reset()
            await conn.full(200, json.dumps({"ok": True}))
        else:
            await conn.full(404, json.dumps({"error": "unknown control endpoint"}))
        return True

    async def _models(self, req, conn):
        with self._lock:
            self._requests.append({"method": req.method, "path": req.path,
                                   "headers": dict(req.headers), "body": None, "model": "",
                                   "behaviour": "models", "t": time.monotonic()})
        if "anthropic-version" in req.headers:
            data = [{"type": "model", "id": m, "display_name": m,
                     "created_at": "2025-01-01T00:00:00Z"} for m in KNOWN_MODELS]
            body = {"data": data, "has_more": False, "first_id": data[0]["id"],
                    "last_id": data[-1]["id"]}
        else:
            body = {"object": "list", "data": [{"id": m, "object": "model", "created": 1700000000,
                                                "owned_by": "fake"} for m in KNOWN_MODELS]}
        await conn.full(200, json.dumps(body))
        return True

    # ----- running it ----------------------------------------------------------------------------
    def start_in_thread(self):
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self.start())
            ready.set()
            self._loop.run_forever()
            # Cancel whatever is still stalled, then close.
            tasks = asyncio.all_tasks(self._loop)
            for t in tasks:
                t.cancel()
            self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self._server.close()
            self._loop.close()

        self._thread = threading.Thread(target=run, name="fake-upstream", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self):
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)


# --------------------------------------------------------------------------------------------------
# Behaviours per API. Each class handles one request; run() returns whether the connection may be
# reused.
# --------------------------------------------------------------------------------------------------


class Api:
    def __init__(self, req, conn, behaviour):
        self.req = req
        self.conn = conn
        self.b = behaviour
        self.body = req.json
        self.model = req.model

    async def run(self):
        b = self.b
        if b.error_status is not None:
            extra = []
            if b.error_status == 429:
                extra.append(("Retry-After", b.param or "1"))
            await self.error(self.conn, b.error_status, "fake upstream error %d" % b.error_status,
                             extra)
            return True
        if b.name == "stall-headers":
            await self.conn.stall()
            return False
        if b.name == "malformed-json" and not self.req.stream:
            await self.conn.full(200, '{"id": "x", "choices": [ {"message": ')
            return True
        if b.name == "slow" and not self.req.stream:
            await asyncio.sleep(b.param_float(200) / 1000)
        if self.req.stream:
            return await self.stream()
        if b.name in ("stall-mid-stream", "reset-mid-stream", "truncated-stream"):
            text = json.dumps(self.complete())
            half = text[: len(text) // 2].encode()
            await self.conn.head(200, [("Content-Type", "application/json"),
                                       ("Content-Length", str(len(text.encode())))])
            self.conn.writer.write(half)
            await self.conn.writer.drain()
            if b.name == "stall-mid-stream":
                await self.conn.stall()
            elif b.name == "reset-mid-stream":
                await self.conn.reset()
            return False
        await self.conn.full(200, json.dumps(self.complete()))
        return True

    def answer_text(self):
        if self.b.name == "echo":
            return json.dumps(self.body, sort_keys=True)
        return TEXT

    def pieces(self):
        if self.b.name == "echo":
            t = self.answer_text()
            return [t[i:i + 16] for i in range(0, len(t), 16)]
        return TEXT_PIECES

    def wants_tool(self):
        return self.b.name == "tools"

    def tool_name(self):
        tools = self.body.get("tools") or []
        if tools and isinstance(tools[0], dict):
            name = tools[0].get("name") or (tools[0].get("function") or {}).get("name")
            if name:
                return name
        return "get_weather"

    async def pace(self):
        if self.b.name == "slow":
            await asyncio.sleep(self.b.param_float(200) / 1000)

    async def stream(self):
        """Sends the stream frames, applying mid-stream misbehaviour. Returns keep-alive."""
        b = self.b
        await self.conn.head(200, SSE_HEADERS + [("x-request-id", _id("req_"))])
        frames = self.frames()
        if b.name in ("malformed-json", "malformed-mid-stream"):
            if b.name == "malformed-mid-stream":
                for frame in frames[: self.CUT]:
                    await self.conn.chunk(frame)
            await self.conn.chunk("data: {\"id\": \"broken\", \"choices\": [\n\n")
            await self.conn.chunk("data: not json at all\n\n")
            await self.conn.end_chunks()
            return True
        cut = self.CUT  # frames sent before a mid-stream misbehaviour: past the first content
        for i, frame in enumerate(frames):
            if i == cut and b.name == "stall-mid-stream":
                await self.conn.stall()
                return False
            if i == cut and b.name == "reset-mid-stream":
                await self.conn.reset()
                return False
            if i == cut and b.name == "error-event":
                await self.conn.chunk(self.error_event())
                await self.conn.end_chunks()
                return True
            if i == cut and b.name == "truncated-stream":
                await self.conn.end_chunks()
                return True
            if i > 0:
                await self.pace()
            await self.conn.chunk(frame)
        await self.conn.end_chunks()
        return True


class OpenAIChat(Api):
    CUT = 3  # role chunk + two content chunks

    @staticmethod
    async def error(conn, status, message, extra=()):
        types = {400: "invalid_request_error", 401: "invalid_request_error",
                 404: "invalid_request_error", 429: "requests"}
        codes = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}
        body = {"error": {"message": message, "type": types.get(status, "server_error"),
                          "param": None, "code": codes.get(status)}}
        await conn.full(status, json.dumps(body), extra=extra)

    def usage(self):
        return {"prompt_tokens": INPUT_TOKENS, "completion_tokens": OUTPUT_TOKENS,
                "total_tokens": INPUT_TOKENS + OUTPUT_TOKENS,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                              "accepted_prediction_tokens": 0,
                                              "rejected_prediction_tokens": 0}}

    def complete(self):
        if self.wants_tool():
            message = {"role": "assistant", "content": None, "refusal": None,
                       "tool_calls": [{"id": "call_fake123", "type": "function",
                                       "function": {"name": self.tool_name(),
                                                    "arguments": json.dumps(TOOL_ARGS)}}]}
            finish = "tool_calls"
        else:
            message = {"role": "assistant", "content": self.answer_text(), "refusal": None}
            finish = "stop"
        out = {"id": _id("chatcmpl-"), "object": "chat.completion", "created": int(time.time()),
               "model": self.model,
               "choices": [{"index": 0, "message": message, "logprobs": None,
                            "finish_reason": finish}],
               "system_fingerprint": "fp_fake"}
        if self.b.name != "no-usage":
            out["usage"] = self.usage()
        return out

    def frames(self):
        cid = _id("chatcmpl-")
        created = int(time.time())
        include_usage = bool((self.body.get("stream_options") or {}).get("include_usage"))
        include_usage = include_usage and self.b.name != "no-usage"

        def chunk(delta, finish=None, choices=True):
            c = {"id": cid, "object": "chat.completion.chunk", "created": created,
                 "model": self.model, "system_fingerprint": "fp_fake",
                 "choices": [{"index": 0, "delta": delta, "logprobs": None,
                              "finish_reason": finish}] if choices else []}
            if include_usage:
                c["usage"] = None
            return "data: " + json.dumps(c) + "\n\n"

        frames = []
        if self.wants_tool():
            frames.append(chunk({"role": "assistant", "content": None, "tool_calls": [
                {"index": 0, "id": "call_fake123", "type": "function",
                 "function": {"name": self.tool_name(), "arguments": ""}}]}))
            for frag in TOOL_ARG_FRAGMENTS:
                frames.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": frag}}]}))
            frames.append(chunk({}, "tool_calls"))
        else:
            frames.append(chunk({"role": "assistant", "content": "", "refusal": None}))
            for piece in self.pieces():
                frames.append(chunk({"content": piece}))
            frames.append(chunk({}, "stop"))
        if include_usage:
            last = json.loads(chunk({}, choices=False)[6:])
            last["usage"] = self.usage()
            frames.append("data: " + json.dumps(last) + "\n\n")
        frames.append("data: [DONE]\n\n")
        return frames

    def error_event(self):
        return "data: " + json.dumps({"error": {"message": "fake upstream failed mid-stream",
                                                "type": "server_error", "param": None,
                                                "code": None}}) + "\n\n"


class AnthropicMessages(Api):
    CUT = 4  # message_start, content_block_start, ping, one delta

    @staticmethod
    async def error(conn, status, message, extra=()):
        body = {"type": "error", "error": {"type": ANTHROPIC_ERROR_TYPES.get(
            status, "api_error" if status >= 500 else "invalid_request_error"),
            "message": message}}
        await conn.full(status, json.dumps(body), extra=list(extra) + [("request-id", _id("req_"))])

    def usage(self):
        return {"input_tokens": INPUT_TOKENS, "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0, "output_tokens": OUTPUT_TOKENS}

    def complete(self):
        if self.wants_tool():
            content = [{"type": "text", "text": "Let me check."},
                       {"type": "tool_use", "id": "toolu_fake123", "name": self.tool_name(),
                        "input": TOOL_ARGS}]
            stop = "tool_use"
        else:
            content = [{"type": "text", "text": self.answer_text()}]
            stop = "end_turn"
        out = {"id": _id("msg_"), "type": "message", "role": "assistant", "model": self.model,
               "content": content, "stop_reason": stop, "stop_sequence": None}
        if self.b.name != "no-usage":
            out["usage"] = self.usage()
        return out

    def frames(self):
        def ev(name, data):
            return "event: %s\ndata: %s\n\n" % (name, json.dumps(data))

        no_usage = self.b.name == "no-usage"
        start_msg = {"id": _id("msg_"), "type": "message", "role": "assistant", "content": [],
                     "model": self.model, "stop_reason": None, "stop_sequence": None}
        if not no_usage:
            start_msg["usage"] = {"input_tokens": INPUT_TOKENS, "cache_creation_input_tokens": 0,
                                  "cache_read_input_tokens": 0, "output_tokens": 1}
        frames = [ev("message_start", {"type": "message_start", "message": start_msg})]
        if self.wants_tool():
            frames.append(ev("content_block_start", {"type": "content_block_start", "index": 0,
                                                     "content_block": {"type": "tool_use",
                                                                       "id": "toolu_fake123",
                                                                       "name": self.tool_name(),
                                                                       "input": {}}}))
            frames.append(ev("ping", {"type": "ping"}))
            for frag in TOOL_ARG_FRAGMENTS:
                frames.append(ev("content_block_delta", {
                    "type": "content_block_delta", "index": 0,
                    "delta": {"type": "input_json_delta", "partial_json": frag}}))
            stop = "tool_use"
        else:
            frames.append(ev("content_block_start", {"type": "content_block_start", "index": 0,
                                                     "content_block": {"type": "text",
                                                                       "text": ""}}))
            frames.append(ev("ping", {"type": "ping"}))
            for piece in self.pieces():
                frames.append(ev("content_block_delta", {
                    "type": "content_block_delta", "index": 0,
                    "delta": {"type": "text_delta", "text": piece}}))
            stop = "end_turn"
        frames.append(ev("content_block_stop", {"type": "content_block_stop", "index": 0}))
        delta = {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}}
        if not no_usage:
            delta["usage"] = {"output_tokens": OUTPUT_TOKENS}
        frames.append(ev("message_delta", delta))
        frames.append(ev("message_stop", {"type": "message_stop"}))
        return frames

    def error_event(self):
        return "event: error\ndata: " + json.dumps(
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}) + "\n\n"


class AnthropicCountTokens(AnthropicMessages):
    """POST /v1/messages/count_tokens: the error behaviours as for messages, else the count."""

    async def run(self):
        b = self.b
        if b.error_status is not None or b.name in ("stall-headers", "malformed-json"):
            return await super().run()
        await self.conn.full(200, json.dumps({"input_tokens": INPUT_TOKENS}))
        return True


class OpenAIEmbeddings(OpenAIChat):
    async def run(self):
        b = self.b
        if b.error_status is not None or b.name in ("stall-headers", "malformed-json"):
            return await super().run()
        if b.name == "slow":
            await asyncio.sleep(b.param_float(200) / 1000)
        inputs = self.body.get("input")
        n = len(inputs) if isinstance(inputs, list) and inputs and not isinstance(inputs[0], int) else 1
        b64 = self.body.get("encoding_format") == "base64"
        data = []
        for i in range(n):
            vec = embedding_vector(i)
            if b64:
                emb = base64.b64encode(struct.pack("<%df" % len(vec), *vec)).decode()
            else:
                emb = vec
            data.append({"object": "embedding", "index": i, "embedding": emb})
        out = {"object": "list", "data": data, "model": self.model}
        if b.name != "no-usage":
            out["usage"] = {"prompt_tokens": EMBED_TOKENS_PER_INPUT * n,
                            "total_tokens": EMBED_TOKENS_PER_INPUT * n}
        await self.conn.full(200, json.dumps(out))
        return True


def start_in_thread():
    return FakeUpstream().start_in_thread()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--print-port", action="store_true", help="print the bound port on stdout")
    args = ap.parse_args()
    fake = FakeUpstream()

    async def run():
        await fake.start(args.host, args.port)
        if args.print_port:
            print(fake.port, flush=True)
        else:
            print("fake upstream listening on http://%s:%d" % (args.host, fake.port),
                  file=sys.stderr, flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
