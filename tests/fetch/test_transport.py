"""The lean send path: the Fetcher's GETs go straight to aiohttp through the lean transport, as
``client.send`` would have sent them, and each distinct request is built once."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from monitor.fetch import Fetcher, build_client
from monitor.fetch.client import Answer, LeanSender, Prepared, direct_sender
from monitor.fetch.transport import LeanAiohttpTransport, PreparedGet
from monitor.models import Validators

from .conftest import TEST_OPTIONS
from .server import FetcherFactory, RawServer, answer


async def test_headers_reach_the_server_as_built(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/feed"] = answer(b"<rss/>", headers={"etag": '"v1"'})
    validators = Validators(etag='W/"ü-1"', last_modified="Wed, 21 Oct 2026 07:28:00 GMT")
    async with make_fetcher(accept_language="de", obey_robots=False) as fetcher:
        assert isinstance(fetcher.client._transport, LeanAiohttpTransport)
        await fetcher.fetch(server.url("/feed"), validators, discovered=False)

    sent = server.hits("/feed")[0].headers
    assert sent["if-none-match"] == 'W/"ü-1"'.encode().decode("latin-1")  # UTF-8 on the wire
    assert sent["if-modified-since"] == "Wed, 21 Oct 2026 07:28:00 GMT"
    assert sent["accept-language"] == "de"
    assert sent["user-agent"] == TEST_OPTIONS.user_agent_header
    assert sent["host"] == server.base.removeprefix("http://")


async def test_the_same_check_reuses_its_request(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/feed"] = answer(b"<rss/>", headers={"etag": '"v1"'})
    seen: list[Prepared] = []
    async with make_fetcher(obey_robots=False) as fetcher:
        send = fetcher._send

        async def spy(request: Prepared) -> Answer:
            seen.append(request)
            return await send(request)

        fetcher._send = spy
        first = await fetcher.fetch(server.url("/feed"), discovered=False)
        await fetcher.fetch(server.url("/feed"), first.validators, discovered=False)
        await fetcher.fetch(server.url("/feed"), first.validators, discovered=False)
        await fetcher.fetch(server.url("/feed"), Validators(etag='"v2"'), discovered=False)

    assert all(isinstance(request, PreparedGet) for request in seen)  # no httpx.Request
    assert seen[1] is seen[2]  # unchanged validators: the very same request
    assert len({id(request) for request in seen}) == 3
    assert [hit.headers.get("if-none-match") for hit in server.hits("/feed")] == [
        None,
        '"v1"',
        '"v1"',
        '"v2"',
    ]


async def test_a_client_with_hooks_sends_through_httpx(server: RawServer) -> None:
    """Anything ``client.send`` would do on top (here an event hook) keeps it in the path."""
    server.routes["/feed"] = answer(b"<rss/>")
    hooked: list[str] = []

    async def hook(request: httpx.Request) -> None:
        hooked.append(str(request.url))

    options = replace(TEST_OPTIONS, obey_robots=False)
    async with build_client(options) as client:
        assert isinstance(direct_sender(client), LeanSender)
        client.event_hooks = {"request": [hook], "response": []}
        assert not isinstance(direct_sender(client), LeanSender)
        fetcher = Fetcher(client, options)
        await fetcher.fetch(server.url("/feed"), discovered=False)

    assert hooked == [server.url("/feed")]


async def test_the_lean_transport_refuses_a_body() -> None:
    transport = LeanAiohttpTransport()
    request = httpx.Request("POST", "http://127.0.0.1:9/", content=b"data")
    with pytest.raises(NotImplementedError):
        await transport.handle_async_request(request)
    await transport.aclose()
