"""The total time limit bounds a whole fetch, retries included (not each attempt)."""

from __future__ import annotations

import asyncio

import pytest

from monitor.errors import FetchTimeout

from .server import FetcherFactory, RawServer, Request, head_bytes


async def headers_then_hang(request: Request, writer: asyncio.StreamWriter) -> None:
    writer.write(head_bytes(200, {"content-type": "text/html", "content-length": "1000"}))
    await writer.drain()
    await asyncio.sleep(60)


async def test_retries_after_a_read_timeout_stay_inside_the_total(
    server: RawServer, make_fetcher: FetcherFactory
) -> None:
    server.routes["/hang"] = headers_then_hang
    # each attempt ends at the 1 s read timeout; three of them cannot fit in a 1.5 s total
    async with make_fetcher(
        read_timeout=1.0, total_timeout=1.5, retries=2, backoff_base=0.05
    ) as fetcher:
        with pytest.raises(FetchTimeout):
            await fetcher.fetch(server.url("/hang"), discovered=False)
    assert len(server.hits("/hang")) < 3
