"""Fixtures for the fetch tests: a raw server on 127.0.0.1 and fetchers with small bounds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest

from monitor.fetch import Fetcher, FetchOptions, build_client

from .server import FetcherFactory, RawServer

# small bounds so that the hostile cases stay fast; private networks allowed because every
# test server lives on 127.0.0.1 (the SSRF tests turn the guard back on explicitly)
TEST_OPTIONS = FetchOptions(
    connect_timeout=2.0,
    read_timeout=3.0,
    total_timeout=3.0,
    max_bytes=1024 * 1024,
    per_host_delay=0.0,
    retries=0,
    backoff_base=0.05,
    allow_private_networks=True,
    contact_url="https://example.org/monitor",
)


@pytest.fixture
async def server() -> AsyncIterator[RawServer]:
    raw = RawServer()
    await raw.start()
    yield raw
    await raw.stop()


@pytest.fixture
def make_fetcher() -> FetcherFactory:
    """``async with make_fetcher(max_bytes=...) as fetcher:`` — TEST_OPTIONS with overrides."""

    @asynccontextmanager
    async def factory(**overrides: object) -> AsyncIterator[Fetcher]:
        options = replace(TEST_OPTIONS, **overrides)  # type: ignore[arg-type]
        async with build_client(options) as client:
            yield Fetcher(client, options)

    return factory
