"""The conditional GET: validators sent back exactly as received, 304s and unchanged 200s."""

from __future__ import annotations

import asyncio

import pytest

from monitor.models import Validators

from .server import FetcherFactory, RawServer, Request, answer, head_bytes

ETAG = 'W/"abc-123"'
MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"
PAGE = '<html><head><meta charset="utf-8"></head><body>Ça va ✓</body></html>'.encode()


def conditional_route(body: bytes):  # type: ignore[no-untyped-def]
    """Answers 304 when the validators match exactly, as nginx does."""

    async def route(request: Request, writer: asyncio.StreamWriter) -> None:
        headers = request.headers
        if headers.get("if-none-match") == ETAG and headers.get("if-modified-since") == MODIFIED:
            writer.write(head_bytes(304, {"etag": ETAG, "last-modified": MODIFIED}))
            return
        await answer(body, headers={"etag": ETAG, "last-modified": MODIFIED})(request, writer)

    return route


async def test_second_fetch_is_a_304_hit(server: RawServer, make_fetcher: FetcherFactory) -> None:
    server.routes["/story"] = conditional_route(PAGE)
    async with make_fetcher() as fetcher:
        first = await fetcher.fetch(server.url("/story"), discovered=False)
        second = await fetcher.fetch(server.url("/story"), first.validators, discovered=False)

    assert (first.status, first.not_modified, first.conditional_hit) == (200, False, False)
    assert first.text.endswith("Ça va ✓</body></html>")
    assert first.validators.etag == ETAG
    assert first.validators.last_modified == MODIFIED
    assert second.status == 304
    assert second.not_modified
    assert second.conditional_hit
    assert second.body == b""
    assert second.text == ""
    assert second.validators == first.validators
    sent = server.hits("/story")[1].headers
    assert sent["if-none-match"] == ETAG
    assert sent["if-modified-since"] == MODIFIED


async def test_identical_200_counts_as_unchanged(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/story"] = answer(PAGE)  # no validators at all
    async with make_fetcher() as fetcher:
        first = await fetcher.fetch(server.url("/story"), discovered=False)
        second = await fetcher.fetch(server.url("/story"), first.validators, discovered=False)

    assert first.validators.content_hash is not None
    assert not first.not_modified
    assert second.status == 200
    assert second.not_modified
    assert not second.conditional_hit
    assert second.text == ""  # unchanged pages are not decoded (nor parsed downstream)


async def test_changed_body_is_new(server: RawServer, make_fetcher: FetcherFactory) -> None:
    server.routes["/story"] = answer(b"<p>new version</p>")
    old = Validators(content_hash="0" * 64)
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(server.url("/story"), old, discovered=False)
    assert not page.not_modified
    assert page.text == "<p>new version</p>"
    assert page.validators.content_hash != old.content_hash


async def test_headers_sent(server: RawServer, make_fetcher: FetcherFactory) -> None:
    from monitor.fetch import SourceFetchPolicy

    server.routes["/story"] = answer(PAGE)
    policy = SourceFetchPolicy(accept_language="fr-FR", headers={"X-Source": "le-monde"})
    async with make_fetcher(accept_language="en") as fetcher:
        await fetcher.fetch(server.url("/story"), discovered=False, policy=policy)
        await fetcher.fetch(server.url("/story"), discovered=False)
    with_policy, without = (request.headers for request in server.hits("/story"))
    assert with_policy["user-agent"].endswith("(+https://example.org/monitor)")
    assert with_policy["accept-language"] == "fr-FR"
    assert with_policy["x-source"] == "le-monde"
    assert without["accept-language"] == "en"
    assert "x-source" not in without
    assert "if-none-match" not in without
    assert "text/html" in without["accept"]


async def test_fetch_url_once_obeys_robots(server: RawServer) -> None:
    from monitor.errors import BlockedURL
    from monitor.fetch import FetchOptions, fetch_url_once

    server.routes["/robots.txt"] = answer(
        b"User-agent: *\nDisallow: /no", content_type="text/plain"
    )
    server.routes["/yes"] = answer(PAGE)
    options = FetchOptions(obey_robots=False, per_host_delay=0.0)
    assert (await fetch_url_once(server.url("/yes"), options)).status == 200
    with pytest.raises(BlockedURL, match="robots"):
        await fetch_url_once(server.url("/no"), options)
    assert server.hits("/no") == []


async def test_utf8_etag_goes_back_byte_for_byte(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    raw_etag = '"café-été"'.encode()

    async def route(request: Request, writer: asyncio.StreamWriter) -> None:
        if request.headers.get("if-none-match", "").encode("latin-1") == raw_etag:  # raw bytes
            writer.write(head_bytes(304, {}))
            return
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 2\r\netag: "
            + raw_etag
            + b"\r\n\r\nok"
        )

    server.routes["/page"] = route
    async with make_fetcher(obey_robots=False) as fetcher:
        first = await fetcher.fetch(server.url("/page"), discovered=False)
        second = await fetcher.fetch(server.url("/page"), first.validators, discovered=False)
    assert second.conditional_hit
