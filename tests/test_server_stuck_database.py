"""A database lock held by another session for up to 30 s: the check waiting behind it runs in a
thread, /healthz keeps answering and says what is waiting (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pytest_httpserver import HTTPServer
from sqlalchemy import text

from monitor.config import SourceConfig
from monitor.pipeline import Deps, check_source
from monitor.server import ServerDeps, build_app
from monitor.service import Service
from monitor.store.sources import SourceDefinition, sync_sources
from tests.test_observe import local_settings

LOCK_HELD_AT_MOST_S = 30.0


@pytest.fixture
async def deps(database_url: str) -> AsyncIterator[Deps]:
    service = Service(local_settings(database_url))
    yield await service.open()
    await service.close()


async def test_healthz_answers_and_names_what_waits_behind_a_lock(
    deps: Deps, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        '<rss version="2.0"><channel><title>Wire</title></channel></rss>',
        content_type="application/rss+xml",
    )
    wire = SourceConfig(
        name="wire", url=httpserver.url_for("/feed.xml"), obey_robots=False,
        allow_private_networks=True,
    )  # fmt: skip
    with deps.store.session() as session:
        sync_sources(session, [SourceDefinition("wire", wire.url, "feed")], datetime.now(UTC))
    app = build_app(ServerDeps(deps.store, deps.metrics, lambda: True))
    with deps.store.engine.connect() as other:  # another session takes the lock
        if deps.store.engine.dialect.name == "sqlite":
            other.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            other.begin()
            other.execute(text("SELECT name FROM source WHERE name = 'wire' FOR UPDATE"))
        check = asyncio.create_task(check_source(wire, deps, datetime.now(UTC)))
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            answers = 0
            deadline = time.monotonic() + LOCK_HELD_AT_MOST_S
            while time.monotonic() < deadline:
                response = await asyncio.wait_for(client.get("/healthz"), 10)
                body = await response.json()
                answers += 1
                if body["database"] == "stuck":
                    break
                await asyncio.sleep(0.2)
        other.rollback()
    report = await asyncio.wait_for(check, 60)
    assert answers >= 2  # it kept answering while the check waited
    assert response.status == 503
    assert "wire" in body["database_waiting"]["what"]  # its listings or its check, a write
    assert body["database_waiting"]["seconds"] >= 5
    assert report.source == "wire"
