"""A real webhook receiver on 127.0.0.1 that checks every signature with ``standardwebhooks``.

Each path is one endpoint with its own secret and a script of answers (status, headers, delay,
or a gate: an event the answer waits for, so a test decides when a slow endpoint answers) used
in order; when the script runs out it answers 204. Every request is recorded with its
``webhook-id``, timestamp, parsed body and whether the signature verified.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlmodel import SQLModel

from monitor.store.db import make_engine
from monitor.store.outbox import SessionFactory, sessions_for

GATE_LIMIT = 60.0  # seconds a gated answer waits at most, so a failing test cannot hang


def make_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


@dataclass(frozen=True)
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: bytes = b""
    gate: threading.Event | None = None  # answer only once the test sets it (bounded wait)


@dataclass(frozen=True)
class Received:
    path: str
    msg_id: str
    timestamp: int
    headers: dict[str, str]
    body: Any
    verified: bool
    at: float  # time.monotonic() on arrival
    answered: int
    complete: bool = True  # False when the sender died mid-request


@dataclass(frozen=True)
class Hook:
    """A webhook configuration value (what ``monitor.config.WebhookConfig`` holds)."""

    name: str
    url: str
    secret: str
    format: str = "json"
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 2.0
    enabled: bool = True


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.secrets: dict[str, str] = {}
        self.scripts: dict[str, list[Answer]] = {}
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def endpoint(self, name: str, answers: list[Answer] | None = None, **options: Any) -> Hook:
        secret = make_secret()
        self.secrets[f"/{name}"] = secret
        self.scripts[f"/{name}"] = list(answers or [])
        return Hook(name, f"http://127.0.0.1:{self.port}/{name}", secret, **options)

    def at(self, name: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == f"/{name}"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next_answer(self, path: str) -> Answer:
        with self.lock:
            script = self.scripts.get(path)
            return script.pop(0) if script else Answer()

    def _record(self, received: Received) -> None:
        with self.lock:
            self.received.append(received)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                data = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if len(data) < length:  # the sender was killed while sending
                    receiver._record(receiver._truncated(self.path, headers))
                    return
                verified, body = receiver._verify(self.path, data, headers)
                answer = receiver._next_answer(self.path) if verified else Answer(401)
                receiver._record(
                    Received(
                        path=self.path,
                        msg_id=headers.get("webhook-id", ""),
                        timestamp=int(headers.get("webhook-timestamp", "0")),
                        headers=headers,
                        body=body,
                        verified=verified,
                        at=time.monotonic(),
                        answered=answer.status,
                    )
                )
                time.sleep(answer.delay)
                if answer.gate is not None:
                    answer.gate.wait(GATE_LIMIT)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def _truncated(self, path: str, headers: dict[str, str]) -> Received:
        msg_id = headers.get("webhook-id", "")
        stamp = int(headers.get("webhook-timestamp", "0"))
        return Received(path, msg_id, stamp, headers, None, False, time.monotonic(), 0, False)

    def _verify(self, path: str, data: bytes, headers: dict[str, str]) -> tuple[bool, Any]:
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError

        secret = self.secrets.get(path)
        if secret is None:
            return False, None
        try:
            return True, Webhook(secret).verify(data, headers)
        except WebhookVerificationError:
            return False, json.loads(data or b"null")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def sessions(database_url: str) -> Iterator[SessionFactory]:
    """An outbox on SQLite and (when configured) PostgreSQL."""
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)
    yield sessions_for(engine)
    engine.dispose()


def free_port() -> int:
    """A port nothing listens on (connection refused), free to listen on later."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def utc_now() -> datetime:
    return datetime.now(UTC)
