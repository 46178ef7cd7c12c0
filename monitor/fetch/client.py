"""The one shared HTTP client: httpx's API on aiohttp's transport (chosen by measurement).

Measured with ``benchmarks/fetch.py`` against nginx on 127.0.0.1 (see ``changes/fetch.md``):
httpx's default transport (httpcore) spends several times more CPU per request than the
``httpx-aiohttp`` transport, so the latter is the default; ``FetchOptions.transport = "httpx"``
selects httpcore (for HTTP proxies from the environment or a platform where aiohttp misbehaves).

``sniffio`` is imported here on purpose: without it installed, httpcore retries that import on every
request (15–30% more CPU on the default transport), so its absence should fail loudly at start-up.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from typing import Any, Protocol

import aiohttp
import httpx
import sniffio  # noqa: F401  (see the module docstring)

from monitor.fetch.body import ACCEPT_ENCODING
from monitor.fetch.options import FetchOptions
from monitor.fetch.transport import LeanAiohttpTransport, PreparedGet, Received

TRANSPORTS = ("aiohttp", "httpx")
EMPTY_BODY = httpx.ByteStream(b"")


def timeouts(options: FetchOptions) -> httpx.Timeout:
    """connect/read per operation; waiting for a pooled connection is bounded by the total."""
    return httpx.Timeout(
        connect=options.connect_timeout,
        read=options.read_timeout,
        write=options.read_timeout,
        pool=options.total_timeout,
    )


def default_headers(options: FetchOptions) -> dict[str, str]:
    headers = {
        "User-Agent": options.user_agent_header,
        "Accept": options.accept,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if options.accept_language:
        headers["Accept-Language"] = options.accept_language
    headers.update(options.extra_headers)
    return headers


def _aiohttp_session(options: FetchOptions, verify: ssl.SSLContext | bool) -> aiohttp.ClientSession:
    """The aiohttp session under the transport: no cookie jar, bounded pool, cached DNS."""
    connector = aiohttp.TCPConnector(limit=options.max_connections, ttl_dns_cache=300, ssl=verify)
    return aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False
    )


def _transport(
    options: FetchOptions, limits: httpx.Limits, verify: ssl.SSLContext | bool
) -> httpx.AsyncBaseTransport:
    if options.transport == "httpx":
        return httpx.AsyncHTTPTransport(limits=limits, retries=0, verify=verify)
    if options.transport == "aiohttp":
        # a factory: the session must be created inside the running event loop
        return LeanAiohttpTransport(limits=limits, client=lambda: _aiohttp_session(options, verify))
    raise ValueError(f"unknown transport {options.transport!r}; expected one of {TRANSPORTS}")


class NoCookies(httpx.Cookies):
    """A cookie jar that keeps nothing.

    Sources are checked anonymously and independently: one source's cookies must not ride along
    to another, and a jar shared by every source of the service would grow without bound. It
    also saves httpx's per-response cookie parsing (about a tenth of the CPU of a check).
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


def build_client(
    options: FetchOptions, *, verify: ssl.SSLContext | bool = True
) -> httpx.AsyncClient:
    """The shared client; the service builds it once and closes it on shutdown.

    ``verify`` is the TLS trust: the system's CAs by default, or an ``ssl.SSLContext`` (a private
    CA for intranet sources; the tests' own certificate).

    It keeps no cookies (see ``NoCookies``), follows no redirects by itself (the ``Fetcher``
    follows them, checking each hop) and ignores proxy settings from the environment.
    """
    limits = httpx.Limits(
        max_connections=options.max_connections,
        max_keepalive_connections=options.max_connections,
        keepalive_expiry=30.0,
    )
    client = httpx.AsyncClient(
        transport=_transport(options, limits, verify),
        headers=default_headers(options),
        timeout=timeouts(options),
        follow_redirects=False,
        trust_env=False,
    )
    # httpx has no switch for "no cookies" and its setter copies into a plain jar
    client._cookies = NoCookies()
    return client


class Answer(Protocol):
    """What the Fetcher reads of a response (``Received``, or an ``httpx.Response`` wrapped)."""

    status_code: int
    reason_phrase: str
    raw_headers: Any  # a sequence of (name, value) byte pairs

    def aiter_raw(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class _HttpxAnswer:
    """An ``httpx.Response`` read as an ``Answer``."""

    __slots__ = ("_response", "raw_headers", "reason_phrase", "status_code")

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status_code = response.status_code
        self.reason_phrase = response.reason_phrase
        self.raw_headers = response.headers.raw

    def aiter_raw(self) -> AsyncIterator[bytes]:
        return self._response.aiter_raw()

    async def aclose(self) -> None:
        await self._response.aclose()


Prepared = PreparedGet | httpx.Request


class Sender:
    """How the Fetcher prepares a GET it built in full (URL, headers in order, timeouts) and
    sends it: through ``client.send``, unfollowed and streamed."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    def prepare(
        self, url: httpx.URL, headers: list[tuple[bytes, bytes]], extensions: dict[str, Any]
    ) -> Prepared:
        request = httpx.Request(
            "GET", url, headers=headers, stream=EMPTY_BODY, extensions=extensions
        )
        request.read()  # the (empty) body, as httpx reads a request's ``content`` when built
        return request

    async def send(self, prepared: Prepared) -> Answer:
        assert isinstance(prepared, httpx.Request)
        response = await self.client.send(prepared, stream=True, follow_redirects=False)
        return _HttpxAnswer(response)


class LeanSender(Sender):
    """Straight to aiohttp through the lean transport (``LeanAiohttpTransport.get``): no
    ``httpx`` request or response objects per request, and none of what ``client.send`` adds
    that a ``build_client`` client does not use (auth, redirects, cookies, event hooks,
    mounts)."""

    def __init__(self, client: httpx.AsyncClient, transport: LeanAiohttpTransport) -> None:
        super().__init__(client)
        self.transport = transport

    def prepare(
        self, url: httpx.URL, headers: list[tuple[bytes, bytes]], extensions: dict[str, Any]
    ) -> Prepared:
        return PreparedGet.of(str(url), headers, extensions)

    async def send(self, prepared: Prepared) -> Answer:
        assert isinstance(prepared, PreparedGet)
        answer: Received = await self.transport.get(prepared)
        return answer


def direct_sender(client: httpx.AsyncClient) -> Sender:
    """How the Fetcher sends: straight to aiohttp (``LeanSender``) when ``client`` is one
    ``build_client`` made, else through ``client.send`` (``Sender``)."""
    transport = getattr(client, "_transport", None)
    plain = (
        isinstance(transport, LeanAiohttpTransport)
        and not client._mounts
        and not any(client.event_hooks.values())
        and isinstance(client._auth, type(None))
        and isinstance(client._cookies, NoCookies)
    )
    if plain:
        assert isinstance(transport, LeanAiohttpTransport)
        return LeanSender(client, transport)
    return Sender(client)
