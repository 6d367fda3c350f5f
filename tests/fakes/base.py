"""A tiny threaded HTTP server on 127.0.0.1 for the fake channel APIs used in tests.

Each fake subclasses ``FakeServer`` and implements ``handle(method, path, query, headers,
body) -> (status, headers, body)``. ``script`` injects failures: ``script[key]`` is a list
of statuses consumed one per matching request (``None`` = answer normally), where ``key`` is
whatever the fake's ``route_key`` returns (GraphQL operation name, REST path…); ``"*"``
matches any request that has no list of its own.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeServer:
    retry_after = "1"
    delay = 0.0  # seconds before each answer (lets a browser test watch progress)

    def __init__(self):
        self.lock = threading.RLock()
        self.script: dict[str, list[int | None]] = {}
        self.calls: list[tuple[str, str]] = []  # (method, route key)
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle
    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                status, headers, payload = fake.dispatch(
                    self.command, parts.path, query, dict(self.headers.items()), body
                )
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                headers = {"Content-Type": "application/json", **headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- dispatch with failure injection
    def route_key(self, method, path, query, headers, body) -> str:
        return path

    def dispatch(self, method, path, query, headers, body):
        key = self.route_key(method, path, query, headers, body)
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.calls.append((method, key))
            queue = self.script.get(key) or self.script.get("*")
            injected = queue.pop(0) if queue else None
        if injected == 429:
            return 429, {"Retry-After": self.retry_after}, {"errors": "Too many requests"}
        if injected:
            return injected, {}, {"errors": "Internal error"}
        return self.handle(method, path, query, headers, body)

    def handle(self, method, path, query, headers, body):  # pragma: no cover - abstract
        raise NotImplementedError

    def count(self, key: str) -> int:
        return sum(1 for _, k in self.calls if k == key)
