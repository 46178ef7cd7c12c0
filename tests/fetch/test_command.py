"""``monitor fetch URL`` against a local server, through the real CLI entry point."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from monitor.cli import main

from .server import RawServer, Request, answer, head_bytes

ETAG = '"v1"'


async def conditional(request: Request, writer: asyncio.StreamWriter) -> None:
    if request.headers.get("if-none-match") == ETAG:
        writer.write(head_bytes(304, {"etag": ETAG}))
        return
    await answer("<p>Grüße</p>".encode(), headers={"etag": ETAG})(request, writer)


@pytest.fixture
def threaded_server() -> Iterator[RawServer]:
    """The raw server on a loop of its own, since the command runs ``asyncio.run`` itself."""
    server = RawServer(routes={"/page": conditional})
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(5)
    yield server
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_fetch_twice_shows_the_conditional_hit(
    threaded_server: RawServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--log-level", "error", "fetch", threaded_server.url("/page"), "--twice"])
    out = capsys.readouterr().out
    assert code == 0
    assert "200 OK" in out
    assert "decoded as utf-8" in out
    assert f"etag            {ETAG}" in out
    assert "hit: 304 Not Modified" in out
    assert threaded_server.hits("/page")[1].headers["if-none-match"] == ETAG


def test_fetch_with_a_given_etag(
    threaded_server: RawServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["fetch", threaded_server.url("/page"), "--etag", ETAG, "--ignore-robots"])
    assert code == 0
    assert "304 Not Modified" in capsys.readouterr().out
    assert threaded_server.hits("/robots.txt") == []


def test_fetch_error_is_one_line_and_exit_2(
    threaded_server: RawServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["fetch", threaded_server.url("/page"), "--discovered"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("monitor: error: refused")
    assert err.count("\n") == 1
