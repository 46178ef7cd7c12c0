"""Hostile servers: every case ends within its configured bound + 1 s, and memory stays under the
size cap (measured with tracemalloc around the fetch)."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import brotli  # type: ignore[import-untyped]
import pytest

from monitor.errors import ConnectError, FetchTimeout, TooLarge, TooManyRedirects
from monitor.models import Page

from .server import FetcherFactory, RawServer, Request, answer, head_bytes, reset_connection

MB = 1024 * 1024
CAP = 1 * MB  # TEST_OPTIONS.max_bytes
CHUNK = b"x" * 65536
# what may be allocated besides the body itself: socket and parser buffers on both sides (the
# server runs in this process too) and the bytearray's over-allocation
SLACK = 1 * MB


@dataclass
class Measured:
    seconds: float = 0.0
    peak_bytes: int = 0


@asynccontextmanager
async def measured() -> AsyncIterator[Measured]:
    """Wall time and the peak of Python allocations over the block."""
    result = Measured()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    started = time.monotonic()
    try:
        yield result
    finally:
        result.seconds = time.monotonic() - started
        result.peak_bytes = tracemalloc.get_traced_memory()[1] - baseline
        tracemalloc.stop()


async def expect(error: type[Exception], fetch: Awaitable[Page], reason: str = "") -> Measured:
    """The fetch fails with ``error`` for ``reason``. Which limit stopped it is read from the
    error, not from a stopwatch: each test's server would go on far longer than any limit."""
    async with measured() as measure:
        with pytest.raises(error, match=reason or None) as caught:
            await fetch
    assert "http://127.0.0.1" in str(caught.value)
    return measure


async def slowloris(request: Request, writer: asyncio.StreamWriter) -> None:
    writer.write(head_bytes(200, {"content-type": "text/html", "content-length": "100000"}))
    for _ in range(100):
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(2)


async def endless(request: Request, writer: asyncio.StreamWriter) -> None:
    writer.write(head_bytes(200, {"content-type": "text/html", "transfer-encoding": "chunked"}))
    while True:
        writer.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
        await writer.drain()


def huge_page(total: int, declare_length: bool):  # type: ignore[no-untyped-def]
    async def route(request: Request, writer: asyncio.StreamWriter) -> None:
        headers = {"content-type": "text/html"}
        headers["content-length" if declare_length else "connection"] = (
            str(total) if declare_length else "close"
        )
        writer.write(head_bytes(200, headers))
        for _ in range(total // len(CHUNK)):
            writer.write(CHUNK)
            await writer.drain()
        writer.close()

    return route


async def reset_mid_body(request: Request, writer: asyncio.StreamWriter) -> None:
    writer.write(head_bytes(200, {"content-type": "text/html", "content-length": "100000"}))
    writer.write(b"<html>" + b"x" * 2000)
    await writer.drain()
    await asyncio.sleep(0.05)
    reset_connection(writer)


async def test_slowloris_stops_at_the_total_timeout(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/slow"] = slowloris
    async with make_fetcher(read_timeout=5.0, total_timeout=2.5) as fetcher:
        await expect(
            FetchTimeout, fetcher.fetch(server.url("/slow"), discovered=False), r"2\.5s \(total\)"
        )


async def test_slowloris_is_not_retried(server: RawServer, make_fetcher: FetcherFactory) -> None:
    server.routes["/slow"] = slowloris
    async with make_fetcher(read_timeout=5.0, total_timeout=1.0, retries=2) as fetcher:
        await expect(
            FetchTimeout, fetcher.fetch(server.url("/slow"), discovered=False), r"1s \(total\)"
        )
    assert len(server.hits("/slow")) == 1


async def test_silent_server_hits_the_read_timeout(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    async def silent(request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server.routes["/silent"] = silent
    async with make_fetcher(read_timeout=1.0, total_timeout=5.0) as fetcher:
        await expect(
            FetchTimeout, fetcher.fetch(server.url("/silent"), discovered=False), "1s reading"
        )


async def test_endless_body_stops_at_the_cap(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/endless"] = endless
    async with make_fetcher() as fetcher:
        measure = await expect(TooLarge, fetcher.fetch(server.url("/endless"), discovered=False))
    assert measure.peak_bytes < CAP + SLACK, measure


async def test_50_mb_page_with_length_is_refused_before_reading(
    server: RawServer, make_fetcher
) -> None:  # type: ignore[no-untyped-def]
    server.routes["/big"] = huge_page(50 * MB, declare_length=True)
    async with make_fetcher(max_bytes=10 * MB) as fetcher:
        measure = await expect(TooLarge, fetcher.fetch(server.url("/big"), discovered=False))
    assert measure.peak_bytes < SLACK, measure


async def test_50_mb_page_without_length_stops_at_the_cap(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/big"] = huge_page(50 * MB, declare_length=False)
    async with make_fetcher(max_bytes=10 * MB) as fetcher:
        measure = await expect(TooLarge, fetcher.fetch(server.url("/big"), discovered=False))
    assert measure.peak_bytes < 10 * MB + SLACK, measure


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * (256 * MB), compresslevel=9)


@pytest.fixture(scope="module")
def brotli_bomb() -> bytes:
    compressed: bytes = brotli.compress(b"\0" * (256 * MB), quality=5)
    return compressed


@pytest.mark.parametrize(("coding", "bomb_fixture"), [("gzip", "gzip_bomb"), ("br", "brotli_bomb")])
async def test_decompression_bomb_is_refused(
    server: RawServer,
    make_fetcher: FetcherFactory,
    coding: str,
    bomb_fixture: str,
    request: pytest.FixtureRequest,
) -> None:
    bomb: bytes = request.getfixturevalue(bomb_fixture)
    headers = {"content-encoding": coding}
    server.routes["/bomb"] = answer(bomb, content_type="text/html", headers=headers)
    async with make_fetcher(max_bytes=10 * MB) as fetcher:
        measure = await expect(TooLarge, fetcher.fetch(server.url("/bomb"), discovered=False))
    assert measure.peak_bytes < 10 * MB, measure


async def test_decompression_bomb_stops_at_the_cap_without_ratio_guard(
    server: RawServer, make_fetcher, gzip_bomb: bytes
) -> None:  # type: ignore[no-untyped-def]
    server.routes["/bomb"] = answer(gzip_bomb, headers={"content-encoding": "gzip"})
    async with make_fetcher(max_decompressed_ratio=1e9) as fetcher:
        measure = await expect(TooLarge, fetcher.fetch(server.url("/bomb"), discovered=False))
    assert measure.peak_bytes < CAP + SLACK + len(gzip_bomb), measure


@pytest.mark.parametrize("coding", ["gzip", "br", "deflate"])
async def test_compressed_page_is_decoded(
    server: RawServer, make_fetcher: FetcherFactory, coding: str
) -> None:
    import zlib

    page = "<html><body>" + "Élection, résultats. " * 500 + "</body></html>"
    compress = {"gzip": gzip.compress, "br": brotli.compress, "deflate": zlib.compress}[coding]
    server.routes["/page"] = answer(compress(page.encode()), headers={"content-encoding": coding})
    async with make_fetcher() as fetcher:
        fetched = await fetcher.fetch(server.url("/page"), discovered=False)
    assert fetched.text == page


async def test_redirect_loop_is_detected(server: RawServer, make_fetcher: FetcherFactory) -> None:
    server.routes["/a"] = answer(status=302, headers={"location": "/b"})
    server.routes["/b"] = answer(status=301, headers={"location": server.url("/a")})
    async with make_fetcher() as fetcher:
        with pytest.raises(TooManyRedirects, match="redirect loop"):
            await fetcher.fetch(server.url("/a"), discovered=False)
    assert len(server.hits("/a")) == len(server.hits("/b")) == 1


async def test_more_than_five_redirects_are_refused(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    for hop in range(10):
        server.routes[f"/{hop}"] = answer(status=307, headers={"location": f"/{hop + 1}"})
    async with make_fetcher() as fetcher:
        with pytest.raises(TooManyRedirects, match="more than 5 redirects"):
            await fetcher.fetch(server.url("/0"), discovered=False)
    assert sum(len(server.hits(f"/{hop}")) for hop in range(10)) == 6


async def test_five_redirects_are_followed(server: RawServer, make_fetcher: FetcherFactory) -> None:
    for hop in range(5):
        server.routes[f"/{hop}"] = answer(status=308, headers={"location": f"/{hop + 1}"})
    server.routes["/5"] = answer(b"<p>here</p>")
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(server.url("/0"), discovered=False)
    assert page.final_url == server.url("/5")
    assert page.url == server.url("/0")
    assert page.text == "<p>here</p>"


async def test_connection_reset_mid_body(server: RawServer, make_fetcher: FetcherFactory) -> None:
    server.routes["/reset"] = reset_mid_body
    async with make_fetcher(retries=1) as fetcher:
        await expect(ConnectError, fetcher.fetch(server.url("/reset"), discovered=False))
    assert len(server.hits("/reset")) == 2  # retried once, then given up


async def test_connection_refused(make_fetcher: FetcherFactory) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with make_fetcher() as fetcher:
        with pytest.raises(ConnectError, match=f"127.0.0.1:{port}"):
            await fetcher.fetch(f"http://127.0.0.1:{port}/", discovered=False)


MALFORMED = {
    "bad status line": b"HTTP/1.1 abc OK\r\ncontent-length: 0\r\n\r\n",
    "header without colon": b"HTTP/1.1 200 OK\r\nnot a header\r\ncontent-length: 0\r\n\r\n",
    "huge header": b"HTTP/1.1 200 OK\r\nx-big: " + b"a" * 20000 + b"\r\n\r\n",
    "bad location": b"HTTP/1.1 302 Found\r\nlocation: http://[::1\r\ncontent-length: 0\r\n\r\n",
    "bad content-length": b"HTTP/1.1 200 OK\r\ncontent-length: -5\r\n\r\n",
    "bad chunk": b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n",
    "not gzip": b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: 5\r\n\r\nhello",
    "HTTP/0.9": b"hello world",
    "nothing": b"",
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_answers_end_as_fetch_errors(
    server: RawServer, make_fetcher: FetcherFactory, raw: bytes
) -> None:
    from monitor.errors import FetchError

    async def route(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(raw)
        await writer.drain()
        writer.close()

    server.routes["/bad"] = route
    async with make_fetcher(obey_robots=False) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(server.url("/bad"), discovered=False)
    assert server.url("/bad") in str(caught.value)
