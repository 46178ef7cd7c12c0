"""The httpx transport on aiohttp, lean per request: httpx's API, aiohttp's wire.

``httpx_aiohttp.AiohttpTransport`` is kept for its session set-up, response stream, error
mapping and closing; ``handle_async_request`` is replaced by one that does per request only
what the Fetcher's GETs need. Measured (``benchmarks/poll.py``, 1,000 conditional GETs at once
on nginx, see CHANGELOG): the library's version spends about a third of an unchanged check's
fetch CPU converting each request — a fresh ``ClientTimeout``, the headers decoded through
``httpx.Headers.items()`` (which re-detects their encoding on every call), the URL re-serialised
to a string and re-parsed by yarl, and proxy arguments built for a proxy we never use.

Here the ``ClientTimeout`` is made once per distinct timeout set, the headers go to aiohttp as
the ``(name, value)`` strings their bytes spell (UTF-8, as aiohttp writes them), and the URL as
a yarl URL cached per httpx URL string. Requests with a body are not sent by the Fetcher and
are refused (``NotImplementedError``) rather than half-supported.

The Fetcher goes one step further (``LeanAiohttpTransport.get``): it prepares each distinct GET
once as aiohttp takes it (``PreparedGet``) and reads the answer straight off aiohttp's response
(``Received``), without an ``httpx.Request``, ``httpx.Response``, ``httpx.Headers`` and byte
stream made and closed around every request — measured (``benchmarks/poll.py``, CHANGELOG),
that wrapping was about a tenth of an unchanged check's CPU.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
from aiohttp import ClientResponse, ClientSession, ClientTimeout
from httpx_aiohttp import AiohttpTransport
from httpx_aiohttp.transport import AiohttpResponseStream, map_aiohttp_exceptions
from yarl import URL

HTTP_11 = b"HTTP/1.1"
CHUNK_SIZE = AiohttpResponseStream.CHUNK_SIZE


@dataclass(frozen=True, slots=True)
class PreparedGet:
    """A body-less GET as aiohttp takes it: built once, sent as often as it is needed."""

    url: URL
    headers: list[tuple[str, str]]
    timeout: ClientTimeout
    server_hostname: str | None = None

    @classmethod
    def of(
        cls, url: str, headers: Iterable[tuple[bytes, bytes]], extensions: dict[str, Any]
    ) -> PreparedGet:
        """The GET of ``url`` with these header bytes and httpx-style ``extensions``
        (``timeout``: connect / read / pool seconds; ``sni_hostname``)."""
        timeout = extensions.get("timeout", {})
        return cls(
            _yarl_url(url),
            _header_pairs(headers),
            _client_timeout(timeout.get("connect"), timeout.get("read"), timeout.get("pool")),
            extensions.get("sni_hostname"),
        )


class Received:
    """An answer as the Fetcher reads it (status, reason, raw headers, raw body chunks),
    straight off aiohttp's response; aiohttp's errors come out as httpx's, as from the
    transport."""

    __slots__ = ("_response", "raw_headers", "reason_phrase", "status_code")

    def __init__(self, response: ClientResponse) -> None:
        self._response = response
        self.status_code: int = response.status
        self.reason_phrase: str = response.reason or httpx.codes.get_reason_phrase(response.status)
        self.raw_headers: tuple[tuple[bytes, bytes], ...] = response.raw_headers

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        with map_aiohttp_exceptions():
            async for chunk in self._response.content.iter_chunked(CHUNK_SIZE):
                yield chunk

    async def aclose(self) -> None:
        with map_aiohttp_exceptions():
            await self._response.__aexit__(None, None, None)


@functools.lru_cache(maxsize=64)
def _client_timeout(connect: float | None, read: float | None, pool: float | None) -> ClientTimeout:
    """aiohttp's timeouts for httpx's ``connect`` / ``read`` / ``pool`` (as httpx-aiohttp
    maps them): built once per distinct set, not per request."""
    return ClientTimeout(sock_connect=connect, sock_read=read, connect=pool)


@functools.lru_cache(maxsize=4096)
def _yarl_url(url: str) -> URL:
    """The URL as aiohttp wants it, parsed once per URL (``encoded``: httpx already encoded it)."""
    return URL(url, encoded=True)


def _header_pairs(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """Header names and values as strings: aiohttp encodes them back as UTF-8; a value that is
    not UTF-8 (obs-text) is read as Latin-1, as ``httpx.Headers`` would."""
    pairs = []
    for name, value in raw:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("latin-1")
        pairs.append((name.decode("latin-1"), text))
    return pairs


class LeanAiohttpTransport(AiohttpTransport):
    """``AiohttpTransport`` with a cheaper ``handle_async_request`` for body-less requests
    and no proxy (which is all the Fetcher sends; see the module docstring)."""

    def _session(self) -> ClientSession:
        if not isinstance(self.client, ClientSession):
            self.client = self.get_client()
        return self.client

    async def get(self, prepared: PreparedGet) -> Received:
        """Send a prepared GET; the caller closes what it received."""
        return Received(await self._request("GET", prepared))

    async def _request(self, method: str, prepared: PreparedGet) -> ClientResponse:
        if self.proxy is not None:
            raise NotImplementedError("LeanAiohttpTransport sends body-less requests, no proxy")
        with map_aiohttp_exceptions():
            return (
                await self._session()
                .request(
                    method,
                    prepared.url,
                    headers=prepared.headers,
                    allow_redirects=False,
                    auto_decompress=False,
                    compress=False,
                    timeout=prepared.timeout,
                    server_hostname=prepared.server_hostname,
                )
                .__aenter__()
            )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.proxy is not None or _has_body(request):
            raise NotImplementedError("LeanAiohttpTransport sends body-less requests, no proxy")
        prepared = PreparedGet.of(str(request.url), request.headers.raw, request.extensions)
        response = await self._request(request.method, prepared)
        extensions = {"http_version": HTTP_11}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode()
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=AiohttpResponseStream(response),
            request=request,
            extensions=extensions,
        )


def _has_body(request: httpx.Request) -> bool:
    try:
        return bool(request.content)
    except httpx.RequestNotRead:  # a streamed body
        return True
