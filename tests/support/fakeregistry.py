"""A tiny HTTP server for registry answers a real registry will not give on
demand: 403, 404, 500, a stall past the timeout, a manifest PUT answered with
another digest, a Bearer token challenge."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "token-for-karsgit"


@dataclass
class Behaviour:
    status: int | None = None  # answer every /v2/ request with this
    delay: float = 0.0  # stall before answering
    manifest_digest: str | None = None  # Docker-Content-Digest for manifest PUTs
    bearer_user: tuple[str, str] | None = None  # demand a Bearer token got with these
    serve: dict[str, bytes] = field(default_factory=dict)  # path -> body of a 200 GET
    requests: list[str] = field(default_factory=list)
    connections: int = 0  # TCP connections accepted
    token_requests: list[str] = field(default_factory=list)


def _handler(behaviour: Behaviour, port_holder: list[int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def setup(self) -> None:
            behaviour.connections += 1
            super().setup()

        def _answer(
            self, status: int, headers: dict[str, str] | None = None, body: bytes = b""
        ) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            auth = self.headers.get("Authorization") or "-"
            behaviour.requests.append(f"{self.command} {self.path} {auth.split(' ')[0]}")
            if behaviour.delay:
                time.sleep(behaviour.delay)
            if self.path.startswith("/token"):
                behaviour.token_requests.append(self.path)
                user, password = behaviour.bearer_user or ("", "")
                want = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
                if self.headers.get("Authorization") != want:
                    return self._answer(401)
                return self._answer(200, {"Content-Type": "application/json"},
                                    b'{"token": "%s"}' % TOKEN.encode())  # fmt: skip
            if behaviour.bearer_user and self.headers.get("Authorization") != f"Bearer {TOKEN}":
                realm = f"http://127.0.0.1:{port_holder[0]}/token"
                challenge = f'Bearer realm="{realm}",service="fake",scope="x"'
                return self._answer(401, {"WWW-Authenticate": challenge})
            if self.path in behaviour.serve and self.command in ("GET", "HEAD"):
                return self._answer(200, {}, behaviour.serve[self.path])
            if behaviour.status is not None:
                error = b'{"errors":[{"code":"DENIED","message":"computer says no"}]}'
                return self._answer(behaviour.status, {"Content-Type": "application/json"}, error)
            if self.command in ("HEAD", "GET") and (
                "/manifests/" in self.path or "/blobs/" in self.path
            ):
                return self._answer(404)
            if self.command == "POST":
                return self._answer(202, {"Location": "/v2/upload/session-1"})
            if self.command == "PUT" and "/manifests/" in self.path:
                digest = behaviour.manifest_digest or "sha256:" + hashlib.sha256(body).hexdigest()
                return self._answer(201, {"Docker-Content-Digest": digest})
            return self._answer(201)

        do_GET = do_HEAD = do_PUT = do_POST = _handle

    return Handler


@contextmanager
def fake_registry(behaviour: Behaviour) -> Iterator[str]:
    port: list[int] = [0]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(behaviour, port))
    server.daemon_threads = True
    port[0] = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{port[0]}"
    finally:
        server.shutdown()
        server.server_close()
