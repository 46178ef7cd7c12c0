"""A raw HTTP/1.1 server on 127.0.0.1 for the fetch tests, including the hostile ones.

Each route is a coroutine that gets the parsed request and the stream writer and writes whatever it
likes (a proper answer, one byte every two seconds, an endless body, a reset). Every request is
recorded with the server's own arrival time, so tests can check what actually reached the server.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from monitor.fetch import Fetcher


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str]
    arrived: float


Route = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]
FetcherFactory = Callable[..., AbstractAsyncContextManager[Fetcher]]


@dataclass
class RawServer:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    port: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    tls: ssl.SSLContext | None = None

    @property
    def base(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def hits(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while not writer.is_closing():
                request = await _read_request(reader)
                if request is None:
                    break
                self.requests.append(request)
                await self._dispatch(request, writer)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _dispatch(self, request: Request, writer: asyncio.StreamWriter) -> None:
        route = self.routes.get(request.path.split("?", 1)[0], not_found)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await route(request, writer)
            await writer.drain()
        finally:
            self.in_flight -= 1


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return Request(method, path, headers, time.monotonic())


def head_bytes(status: int, headers: Mapping[str, str], reason: str = "X") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(
    body: bytes = b"",
    status: int = 200,
    content_type: str | None = "text/html; charset=utf-8",
    headers: Mapping[str, str] | None = None,
) -> Route:
    """A route that always gives the same well-formed answer."""

    async def route(request: Request, writer: asyncio.StreamWriter) -> None:
        all_headers = {"content-length": str(len(body))}
        if content_type:
            all_headers["content-type"] = content_type
        all_headers.update(headers or {})
        writer.write(head_bytes(status, all_headers) + body)

    return route


async def not_found(request: Request, writer: asyncio.StreamWriter) -> None:
    writer.write(head_bytes(404, {"content-length": "0"}))


def reset_connection(writer: asyncio.StreamWriter) -> None:
    """Close with RST instead of FIN (SO_LINGER 0), as a crashing peer or middlebox would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
