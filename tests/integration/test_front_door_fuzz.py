"""Mutated HTTP at the front door: whatever bytes arrive, the gateway answers or closes, keeps
serving everyone else, and never crashes (under ASan+UBSan in the sanitizer build this is where
a memory error in request parsing, 100-continue, 413/431 handling or count_tokens would show).

Deterministic: a fixed seed mutates a few valid requests (chat, messages with Expect:
100-continue, chunked count_tokens, a GET) by flipping, inserting and deleting bytes and by
splicing in header fragments (NUL, huge Content-Length, stray CRLFs)."""

import json
import random
import socket
import unittest

from harness import GatewayTestCase

ROUNDS = 1500
SEED = 20261122


def _seeds():
    chat = json.dumps({"model": "oai-ok", "messages": [{"role": "user", "content": "hi"}]}).encode()
    return [
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(chat) + chat,
        b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nanthropic-version: 2023-06-01\r\n"
        b"Expect: 100-continue\r\nContent-Length: 5\r\n\r\n{\"a\":",
        b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /v1/messages/count_tokens HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\n{\"mo\r\n0\r\n\r\n",
    ]


FRAGMENTS = [b"\r\n", b"\r\n\r\n", b":", b" ", b"\x00", b"Content-Length: 99999999\r\n",
             b"Expect: 100-continue\r\n", b"Transfer-Encoding: chunked\r\n", b"\xff\xfe"]


def mutate(rng, data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        i = rng.randrange(len(b) + 1)
        if op < 0.3 and b:
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif op < 0.6:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op < 0.8 and b:
            del b[i:i + rng.randint(1, 16)]
        else:
            b[i:i] = rng.choice(FRAGMENTS)
    return bytes(b)


class FrontDoorFuzzTest(GatewayTestCase):
    @classmethod
    def configure(cls, cfg):
        cfg.standard_models(("ok",))

    def test_mutated_requests_never_take_the_gateway_down(self):
        rng = random.Random(SEED)
        seeds = _seeds()
        answered = 0
        for n in range(ROUNDS):
            s = socket.create_connection(("127.0.0.1", self.gateway.port), timeout=0.2)
            try:
                s.sendall(mutate(rng, rng.choice(seeds)))
                if rng.random() < 0.5:
                    s.shutdown(socket.SHUT_WR)
                first = s.recv(16)
                if first.startswith(b"HTTP/1.1 "):
                    answered += 1
                while s.recv(65536):
                    pass
            except OSError:
                pass   # reset or timed out: the gateway may close on garbage
            finally:
                s.close()
            if n % 250 == 249:
                self.assertIsNone(self.gateway.proc.poll(), "the gateway died after %d rounds" % n)
                self.assertEqual(self.client.get("/healthz").status, 200)
        # Most mutations still carry a request line the gateway can answer (even if with a 4xx).
        self.assertGreater(answered, ROUNDS // 4)
        # And it still serves a real request afterwards.
        r = self.chat("oai-ok")
        self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    unittest.main()
