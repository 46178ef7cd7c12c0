"""The endpoint's connection guard: idle connections are closed, the count stays under a limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from monitor.connections import ConnectionGuard, GuardedSite, connection_limit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def ok(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@pytest.fixture
async def served() -> AsyncIterator[tuple[ConnectionGuard, Clock, int]]:
    app = web.Application()
    app.router.add_get("/healthz", ok)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    clock = Clock()
    guard = ConnectionGuard(limit=3, idle_seconds=10, clock=clock)
    site = GuardedSite(runner, "127.0.0.1", 0, guard)
    await site.start()
    port = next(int(address[1]) for address in runner.addresses if isinstance(address, tuple))
    try:
        yield guard, clock, port
    finally:
        await runner.cleanup()


async def idle_connection(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    return await asyncio.wait_for(reader.read(), timeout=5) == b""


async def test_a_connection_idle_past_the_limit_is_closed(
    served: tuple[ConnectionGuard, Clock, int],
) -> None:
    guard, clock, port = served
    reader, writer = await idle_connection(port)
    await _until(lambda: guard.open_connections == 1)
    assert guard.sweep() == 0  # not idle long enough yet
    clock.now += 11
    assert guard.sweep() == 1
    assert await closed_by_server(reader)
    writer.close()


async def test_at_the_limit_the_quietest_connection_makes_room(
    served: tuple[ConnectionGuard, Clock, int],
) -> None:
    guard, clock, port = served
    first = await idle_connection(port)
    await _until(lambda: guard.open_connections == 1)
    clock.now += 1
    others = [await idle_connection(port) for _ in range(2)]
    await _until(lambda: guard.open_connections == 3)
    async with httpx.AsyncClient() as client:  # a fourth: /healthz still answers
        answer = await client.get(f"http://127.0.0.1:{port}/healthz")
    assert answer.json() == {"status": "ok"}
    assert await closed_by_server(first[0])  # the quietest went
    assert guard.open_connections <= 3
    for _, writer in [first, *others]:
        writer.close()


def test_the_limit_stays_well_below_the_file_limit() -> None:
    assert 16 <= connection_limit() <= 512


async def _until(condition: object) -> None:
    for _ in range(500):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")
