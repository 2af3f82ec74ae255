#!/usr/bin/python3
"""Test harness for switchyard's integration (and node conformance) suites.

- FakeUpstream in-process (fake_upstream.py), plus a port where nothing listens.
- Config: a small builder that writes a YAML config file into a temp dir.
- Gateway: starts the real binary (env SWITCHYARD_BIN) with `serve --listen 127.0.0.1:0`, reads the
  port from "listening on http://127.0.0.1:PORT" on stderr, waits for /healthz, stops it with
  SIGTERM and returns (exit code, stderr).
- A minimal HTTP client (http.client) with an SSE reader, and SQLite log readers.

CLI mode for the node suites:  `python3 harness.py up [--scenario NAME]` starts a fake upstream and
a gateway with the standard config, prints one JSON line {"gateway": URL, "fake": URL, "db": PATH,
"models": {...}} and runs until stdin closes (or SIGTERM/SIGINT), then stops the gateway.
"""

import glob
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fake_upstream  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
LISTEN_RE = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")

# Prices of the standard models (USD per 1M tokens); the fake always reports fixed token counts.
PRICE_IN = 3.0
PRICE_OUT = 15.0
EXPECTED_COST = (fake_upstream.INPUT_TOKENS * PRICE_IN +
                 fake_upstream.OUTPUT_TOKENS * PRICE_OUT) / 1e6


def switchyard_bin():
    path = os.environ.get("SWITCHYARD_BIN")
    if path:
        return path
    found = sorted(glob.glob(os.path.join(REPO, "build*", "src", "switchyard")),
                   key=os.path.getmtime)
    if not found:
        raise unittest.SkipTest("SWITCHYARD_BIN is not set and no build*/src/switchyard exists")
    return found[-1]


def free_port():
    """A port where nothing listens (bound then closed): connecting to it is refused."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ------------------------------------------------------------------------------------------------
# YAML
# ------------------------------------------------------------------------------------------------

def _scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(str(v))   # a JSON string is a valid double-quoted YAML scalar


def to_yaml(value, indent=0):
    pad = "  " * indent
    lines = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append("%s%s:" % (pad, _scalar(k) if not re.fullmatch(r"[\w.-]+", k) else k))
                lines.append(to_yaml(v, indent + 1))
            else:
                empty = "{}" if isinstance(v, dict) else "[]" if isinstance(v, list) else None
                key = k if re.fullmatch(r"[\w.-]+", k) else _scalar(k)
                lines.append("%s%s: %s" % (pad, key, empty if empty else _scalar(v)))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                sub = to_yaml(item, indent + 1).split("\n")
                lines.append("%s- %s" % (pad, sub[0].lstrip()))
                lines.extend(sub[1:])
            else:
                lines.append("%s- %s" % (pad, _scalar(item)))
    else:
        lines.append(pad + _scalar(value))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# Config
# ------------------------------------------------------------------------------------------------

class Config:
    """Builds a gateway config. Providers `oai` (OpenAI-shaped) and `ant` (Anthropic-shaped) point at
    the fake upstream; `dead` points at a port where nothing listens."""

    def __init__(self, fake_port, workdir):
        self.workdir = workdir
        self.db_path = os.path.join(workdir, "log.db")
        timeouts = {"connect_ms": 1000, "first_byte_ms": 2000, "idle_ms": 2000,
                    "total_ms": 20000}
        self.data = {
            "server": {"max_body_bytes": 65536,
                       "shutdown_grace_ms": 5000},
            "providers": {
                "oai": {"kind": "openai", "base_url": "http://127.0.0.1:%d/v1" % fake_port,
                        "api_key": "sk-test-oai-key",
                        "headers": {"X-Team": "integration"}, "timeouts": dict(timeouts)},
                "ant": {"kind": "anthropic", "base_url": "http://127.0.0.1:%d" % fake_port,
                        "api_key": "sk-ant-test-key",
                        "headers": {"X-Team": "integration"}, "timeouts": dict(timeouts)},
                "dead": {"kind": "openai", "base_url": "http://127.0.0.1:%d/v1" % free_port(),
                         "api_key": "sk-dead", "timeouts": dict(timeouts)},
            },
            "models": {},
            "routes": {},
            "fallback": {"retry_on_status": [408, 409, 429, 500, 502, 503, 504],
                         "backoff_base_ms": 10, "backoff_max_ms": 50,
                         "max_retry_after_ms": 5000, "breaker_failures": 1000,
                         "breaker_cooldown_ms": 1000},
            "log": {"sqlite_path": self.db_path},
        }

    def model(self, name, provider, upstream=None, type_="chat", price=(PRICE_IN, PRICE_OUT)):
        m = {"provider": provider, "upstream_model": upstream or name}
        if price is not None:
            m["price"] = {"input_per_mtok": price[0], "output_per_mtok": price[1]}
        if type_ != "chat":
            m["type"] = type_
        self.data["models"][name] = m
        return self

    def route(self, name, steps):
        """steps: model names or (model, retries) pairs."""
        chain = [s if isinstance(s, str) else {"model": s[0], "retries": s[1]} for s in steps]
        self.data["routes"][name] = {"chain": chain}
        return self

    def standard_models(self, behaviours=("ok", "echo", "tools", "no-usage", "slow@100",
                                          "err-400", "err-500", "err-429", "reset-mid-stream",
                                          "truncated-stream", "error-event", "malformed-json",
                                          "stall-headers", "stall-mid-stream")):
        """oai-<b> and ant-<b> for each behaviour (the @param is dropped from the public name)."""
        for b in behaviours:
            short = b.split("@")[0]
            self.model("oai-" + short, "oai", b)
            self.model("ant-" + short, "ant", b)
        self.model("oai-embed", "oai", "embed-ok", type_="embedding", price=(0.1, 0))
        return self

    def write(self):
        path = os.path.join(self.workdir, "switchyard.yaml")
        with open(path, "w") as f:
            f.write(to_yaml(self.data) + "\n")
        return path


# ------------------------------------------------------------------------------------------------
# HTTP client
# ------------------------------------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers     # lower-cased name -> value
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.body[:300])


class SSE:
    """A streamed response read to its end: events as (event name or None, data text)."""

    def __init__(self, status, headers):
        self.status = status
        self.headers = headers
        self.events = []
        self.raw = b""
        self.transport_error = None
        self.body = b""           # non-SSE body (error responses)
        self.arrival = []          # monotonic time of each event

    def datas(self):
        return [d for _, d in self.events]

    def json_events(self):
        out = []
        for name, data in self.events:
            if data == "[DONE]":
                continue
            try:
                out.append((name, json.loads(data)))
            except ValueError:
                out.append((name, data))
        return out

    def names(self):
        return [n for n, _ in self.events]


class Client:
    def __init__(self, port, host="127.0.0.1", timeout=30):
        self.host = host
        self.port = port
        self.timeout = timeout

    def _conn(self, timeout=None):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout or self.timeout)

    def request(self, method, path, body=None, headers=None, raw=None, timeout=None):
        conn = self._conn(timeout)
        try:
            hdrs = {"Content-Type": "application/json"} if (body is not None or raw is not None) else {}
            hdrs.update(headers or {})
            data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            payload = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, payload)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def stream(self, path, body, headers=None, timeout=None, on_event=None):
        """POSTs and reads an SSE response to its end (or to a transport error)."""
        conn = self._conn(timeout)
        hdrs = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        hdrs.update(headers or {})
        try:
            conn.request("POST", path, body=json.dumps(body).encode(), headers=hdrs)
            r = conn.getresponse()
            out = SSE(r.status, {k.lower(): v for k, v in r.getheaders()})
            if "text/event-stream" not in out.headers.get("content-type", ""):
                out.body = r.read()
                return out
            name, data = None, []
            while True:
                try:
                    line = r.readline()
                except (http.client.HTTPException, OSError) as e:
                    out.transport_error = e
                    break
                if not line:
                    break
                out.raw += line
                text = line.decode("utf-8").rstrip("\r\n")
                if text == "":
                    if data or name:
                        ev = (name, "\n".join(data))
                        out.events.append(ev)
                        out.arrival.append(time.monotonic())
                        if on_event:
                            on_event(ev)
                    name, data = None, []
                elif text.startswith(":"):
                    continue
                elif text.startswith("event:"):
                    name = text[6:].strip()
                elif text.startswith("data:"):
                    data.append(text[5:][1:] if text[5:].startswith(" ") else text[5:])
            if data or name:
                out.events.append((name, "\n".join(data)))
            return out
        finally:
            conn.close()


# ------------------------------------------------------------------------------------------------
# Gateway process
# ------------------------------------------------------------------------------------------------

class Gateway:
    def __init__(self, config_path, extra_args=(), env=None):
        self.config_path = config_path
        self.extra_args = list(extra_args)
        self.env = env
        self.proc = None
        self.port = None
        self.stderr_lines = []
        self._listening = threading.Event()
        self._reader = None

    def start(self, timeout=20):
        args = [switchyard_bin(), "serve", "--config", self.config_path,
                "--listen", "127.0.0.1:0"] + self.extra_args
        env = dict(os.environ)
        env.update(self.env or {})
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not self._listening.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self._reader.join(2)
                self.kill()
                raise RuntimeError("gateway did not start (exit %s); stderr:\n%s" %
                                   (self.proc.returncode, self.stderr()))
        self.client = Client(self.port)
        while time.monotonic() < deadline:
            try:
                if self.client.get("/healthz", timeout=2).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("gateway /healthz never answered 200; stderr:\n" + self.stderr())

    def _read_stderr(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace")
            self.stderr_lines.append(line)
            if self.port is None:
                m = LISTEN_RE.search(line)
                if m:
                    self.port = int(m.group(1))
                    self._listening.set()

    def stderr(self):
        return "".join(self.stderr_lines)

    def send_signal(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Signals the gateway and waits. Returns (exit code, stderr)."""
        if self.proc is None:
            return None, ""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self._reader:
            self._reader.join(5)
        return self.proc.returncode, self.stderr()

    def returncode_and_stderr(self):
        if self._reader:
            self._reader.join(2)
        return self.proc.returncode, self.stderr()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def run_cli(*args, timeout=30, env=None):
    """Runs the binary; returns CompletedProcess with text stdout/stderr."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([switchyard_bin()] + list(args), capture_output=True, text=True,
                          timeout=timeout, env=e, stdin=subprocess.DEVNULL)


# ------------------------------------------------------------------------------------------------
# SQLite log
# ------------------------------------------------------------------------------------------------

def db_rows(db_path, table, where="", params=()):
    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    con.row_factory = sqlite3.Row
    try:
        rows = con.execute("SELECT * FROM %s %s" % (table, where), params).fetchall()
        return [dict(r) for r in rows]
    finally:
        con.close()


def db_request(db_path, request_id):
    rows = db_rows(db_path, "requests", "WHERE id = ?", (request_id,))
    return rows[0] if rows else None


def db_attempts(db_path, request_id):
    return db_rows(db_path, "attempts", "WHERE request_id = ? ORDER BY idx", (request_id,))


# ------------------------------------------------------------------------------------------------
# Base class for the suites: one fake upstream + one gateway per test class.
# ------------------------------------------------------------------------------------------------

class GatewayTestCase(unittest.TestCase):
    """Subclasses override configure(cfg) to add models/routes/settings."""

    gateway = None
    fake = None

    @classmethod
    def configure(cls, cfg):
        cfg.standard_models()

    @classmethod
    def setUpClass(cls):
        cls.fake = fake_upstream.start_in_thread()
        cls.tmp = tempfile.TemporaryDirectory(prefix="sy-it-")
        cls.cfg = Config(cls.fake.port, cls.tmp.name)
        cls.configure(cls.cfg)
        cls.config_path = cls.cfg.write()
        cls.db_path = cls.cfg.db_path
        try:
            cls.gateway = Gateway(cls.config_path).start()
        except Exception:
            cls.fake.stop()
            cls.tmp.cleanup()
            raise
        cls.client = cls.gateway.client

    @classmethod
    def tearDownClass(cls):
        if cls.gateway:
            cls.gateway.stop()
        if cls.fake:
            cls.fake.stop()
        cls.tmp.cleanup()

    def setUp(self):
        self.fake.reset()

    def tearDown(self):
        # A gateway that died during a test (crash, abort) fails that test, and is restarted so
        # that the remaining tests of the class still say something.
        gw = type(self).gateway
        if gw is None:
            return
        time.sleep(0.05)   # a crash right after the response still belongs to this test
        if gw.proc.poll() is None:
            return
        code, err = gw.returncode_and_stderr()
        cls = type(self)
        cls.gateway = Gateway(cls.config_path).start()
        cls.client = cls.gateway.client
        self.fail("the gateway died during this test (exit %s); stderr tail:\n%s"
                  % (code, "".join(err.splitlines(True)[-5:])))

    LOG_WAIT_S = 5.0   # the log is written off the request path, in batches

    def logged(self, rid):
        """The request's log row and its attempt rows, once the log writer has flushed them;
        fails the test if no row appears within LOG_WAIT_S."""
        deadline = time.monotonic() + self.LOG_WAIT_S
        while True:
            row = db_request(self.db_path, rid)
            if row is not None:
                return row, db_attempts(self.db_path, rid)
            if time.monotonic() > deadline:
                self.fail("no requests row for %s after %.0f s" % (rid, self.LOG_WAIT_S))
            time.sleep(0.05)

    def stop_gateway(self):
        """SIGTERMs the gateway (flushing the log); returns (exit code, stderr)."""
        rc, err = self.gateway.stop()
        type(self).gateway = None
        return rc, err

    # --- common payloads -------------------------------------------------------------------------
    @staticmethod
    def openai_body(model, stream=False, **extra):
        body = {"model": model, "messages": [{"role": "user", "content": "Say hello."}]}
        if stream:
            body["stream"] = True
        body.update(extra)
        return body

    @staticmethod
    def anthropic_body(model, stream=False, **extra):
        body = {"model": model, "max_tokens": 64,
                "messages": [{"role": "user", "content": "Say hello."}]}
        if stream:
            body["stream"] = True
        body.update(extra)
        return body

    ANTHROPIC_HEADERS = {"x-api-key": "client-key", "anthropic-version": "2023-06-01"}
    OPENAI_HEADERS = {"Authorization": "Bearer client-key"}

    def chat(self, model, stream=False, headers=None, **extra):
        h = dict(self.OPENAI_HEADERS)
        h.update(headers or {})
        body = self.openai_body(model, stream, **extra)
        if stream:
            return self.client.stream("/v1/chat/completions", body, headers=h)
        return self.client.post("/v1/chat/completions", body, headers=h)

    def messages(self, model, stream=False, headers=None, **extra):
        h = dict(self.ANTHROPIC_HEADERS)
        h.update(headers or {})
        body = self.anthropic_body(model, stream, **extra)
        if stream:
            return self.client.stream("/v1/messages", body, headers=h)
        return self.client.post("/v1/messages", body, headers=h)

    # --- assertions on error shapes ----------------------------------------------------------------
    def assertOpenAIError(self, resp, status):
        self.assertEqual(resp.status, status, resp)
        self.assertIn("application/json", resp.headers.get("content-type", ""))
        body = json.loads(resp.body)
        self.assertEqual(set(body), {"error"}, body)
        err = body["error"]
        for key in ("message", "type", "param", "code"):
            self.assertIn(key, err, body)
        self.assertIsInstance(err["message"], str)
        self.assertTrue(err["message"])
        self.assertIsInstance(err["type"], str)
        return err

    def assertAnthropicError(self, resp, status, type_=None):
        self.assertEqual(resp.status, status, resp)
        self.assertIn("application/json", resp.headers.get("content-type", ""))
        body = json.loads(resp.body)
        self.assertEqual(body.get("type"), "error", body)
        err = body["error"]
        self.assertIsInstance(err.get("type"), str, body)
        self.assertIsInstance(err.get("message"), str, body)
        self.assertTrue(err["message"])
        if type_:
            self.assertEqual(err["type"], type_, body)
        return err


# ------------------------------------------------------------------------------------------------
# `harness.py up`: a running fake + gateway for the node conformance suites.
# ------------------------------------------------------------------------------------------------

def scenario_config(cfg, name):
    cfg.standard_models()
    # Routes that exercise fallback from the SDKs' point of view.
    cfg.route("route-500-then-ok", ["oai-err-500", "ant-ok"])
    cfg.route("route-all-429", ["oai-err-429", "ant-err-429"])
    cfg.data["fallback"]["max_retry_after_ms"] = 0   # don't wait on Retry-After in SDK tests
    return cfg


def up_main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="harness.py up")
    ap.add_argument("--scenario", default="conformance")
    args = ap.parse_args(argv)
    fake = fake_upstream.start_in_thread()
    tmp = tempfile.TemporaryDirectory(prefix="sy-up-")
    cfg = scenario_config(Config(fake.port, tmp.name), args.scenario)
    gw = Gateway(cfg.write())
    try:
        gw.start()
    except Exception as e:  # noqa: BLE001 - report and exit
        print(json.dumps({"error": str(e)}), flush=True)
        fake.stop()
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(json.dumps({"gateway": "http://127.0.0.1:%d" % gw.port,
                      "fake": "http://127.0.0.1:%d" % fake.port,
                      "db": cfg.db_path, "models": sorted(cfg.data["models"]),
                      "routes": sorted(cfg.data["routes"]),
                      "fixtures": {"text": fake_upstream.TEXT,
                                   "input_tokens": fake_upstream.INPUT_TOKENS,
                                   "output_tokens": fake_upstream.OUTPUT_TOKENS,
                                   "tool_args": fake_upstream.TOOL_ARGS,
                                   "embed_dim": fake_upstream.EMBED_DIM,
                                   "embeddings": [fake_upstream.embedding_vector(i)
                                                  for i in range(4)]}}), flush=True)

    def watch_stdin():
        try:
            sys.stdin.read()
        finally:
            stop.set()
    threading.Thread(target=watch_stdin, daemon=True).start()
    while not stop.wait(0.2):
        pass
    rc, err = gw.stop()
    fake.stop()
    tmp.cleanup()
    sys.stderr.write(err)
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "up":
        sys.exit(up_main(sys.argv[2:]))
    print("usage: harness.py up [--scenario NAME]", file=sys.stderr)
    sys.exit(2)
