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
"""

from __future__ import annotations

import functools

import httpx
from aiohttp import ClientSession, ClientTimeout
from httpx_aiohttp import AiohttpTransport
from httpx_aiohttp.transport import AiohttpResponseStream, map_aiohttp_exceptions
from yarl import URL

HTTP_11 = b"HTTP/1.1"


@functools.lru_cache(maxsize=64)
def _client_timeout(connect: float | None, read: float | None, pool: float | None) -> ClientTimeout:
    """aiohttp's timeouts for httpx's ``connect`` / ``read`` / ``pool`` (as httpx-aiohttp
    maps them): built once per distinct set, not per request."""
    return ClientTimeout(sock_connect=connect, sock_read=read, connect=pool)


@functools.lru_cache(maxsize=4096)
def _yarl_url(url: str) -> URL:
    """The URL as aiohttp wants it, parsed once per URL (``encoded``: httpx already encoded it)."""
    return URL(url, encoded=True)


def _header_pairs(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
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

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.proxy is not None or _has_body(request):
            raise NotImplementedError("LeanAiohttpTransport sends body-less requests, no proxy")
        session = self._session()
        timeout = request.extensions.get("timeout", {})
        with map_aiohttp_exceptions():
            response = await session.request(
                request.method,
                _yarl_url(str(request.url)),
                headers=_header_pairs(request.headers.raw),
                allow_redirects=False,
                auto_decompress=False,
                compress=False,
                timeout=_client_timeout(
                    timeout.get("connect"), timeout.get("read"), timeout.get("pool")
                ),
                server_hostname=request.extensions.get("sni_hostname"),
            ).__aenter__()
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
