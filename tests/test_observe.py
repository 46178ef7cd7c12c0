"""A failed article write leaves engine and database agreeing (SQLite and PostgreSQL).

The write of an article is made to fail (a disk I/O error injected at the revision insert,
after the story and article rows were flushed); the next observation of that article must
behave as if the failed one never happened: a new article is new again, a revision is a
revision again — not "unchanged" because the engine remembered what the store never got.
The same holds with several instances, where the decision is taken under the tracking gate
inside the write's transaction and the gate rebuilds the engine after a failed write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import event, func
from sqlmodel import select

from monitor.config import FetchConfig, Settings, SourceConfig, StorageConfig
from monitor.coordination import Coordinator
from monitor.errors import StoreError
from monitor.pipeline import Deps, process_article_url
from monitor.service import Service
from monitor.store.tables import ArticleRow, DevelopmentRow, RevisionRow, StoryRow
from tests.test_pipeline import article

T0 = datetime(2026, 11, 29, 8, tzinfo=UTC)
V1 = article("Floods close the Rhine to barges", "Water levels rose past the mark in Cologne.")
V2 = article(
    "Floods close the Rhine to barges",
    "Water levels rose past the mark in Cologne. Evacuations began in Bonn overnight.",
)


def local_settings(database_url: str) -> Settings:
    """No sources, fetching from 127.0.0.1 at once, storing into ``database_url``."""
    return Settings(
        storage=StorageConfig(database_url=database_url),
        fetch=FetchConfig(
            per_host_delay=0, retries=0, obey_robots=False, allow_private_networks=True
        ),
        sources=[],
    )


@pytest.fixture(params=["one engine", "tracking gate"])
async def deps(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Deps]:
    service = Service(local_settings(database_url))
    opened = await service.open()
    clock = iter(T0 + timedelta(minutes=minute) for minute in range(100))
    opened.clock = lambda: next(clock)
    if request.param == "tracking gate":  # as with several instances: decided under the lock
        opened.tracking_gate = Coordinator(
            opened.store,
            lambda: opened.settings.tracking,
            lease=timedelta(seconds=30),
            clock=lambda: T0,
        )
    yield opened
    await service.close()


@contextmanager
def failing_revision_insert(deps: Deps) -> Iterator[list[str]]:
    """Every INSERT into ``revision`` fails as a full disk would, inside the transaction."""
    failed: list[str] = []

    dbapi = deps.store.engine.dialect.loaded_dbapi

    def fail(cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO REVISION"):
            failed.append(statement)
            raise dbapi.OperationalError("disk I/O error (injected)")

    event.listen(deps.store.engine, "do_execute", fail)
    try:
        yield failed
    finally:
        event.remove(deps.store.engine, "do_execute", fail)


def serve(httpserver: HTTPServer, html: str) -> str:
    httpserver.clear()
    httpserver.expect_request("/rhine.html").respond_with_data(html, content_type="text/html")
    return httpserver.url_for("/rhine.html")


def counts(deps: Deps) -> tuple[int, int, int, int]:
    with deps.store.session() as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(table)).one()
            for table in (ArticleRow, RevisionRow, StoryRow, DevelopmentRow)
        )


def wire() -> SourceConfig:
    return SourceConfig(
        name="wire", url="http://127.0.0.1/", obey_robots=False, allow_private_networks=True
    )


async def test_a_failed_first_write_is_forgotten(deps: Deps, httpserver: HTTPServer) -> None:
    url = serve(httpserver, V1)
    with failing_revision_insert(deps) as failed, pytest.raises(StoreError, match="disk I/O"):
        await process_article_url(wire(), deps, url, discovered=True)
    assert failed
    assert counts(deps) == (0, 0, 0, 0)  # the story and article flushed before were rolled back

    outcome = await process_article_url(wire(), deps, url, discovered=True)

    assert (outcome.event, outcome.new_article, outcome.development_kind) == (
        "new_story",
        True,
        "new_story",
    )
    assert counts(deps) == (1, 1, 1, 1)


async def test_a_failed_revision_is_seen_again(deps: Deps, httpserver: HTTPServer) -> None:
    url = serve(httpserver, V1)
    first = await process_article_url(wire(), deps, url, discovered=True)
    assert first.event == "new_story"
    serve(httpserver, V2)
    with failing_revision_insert(deps), pytest.raises(StoreError):
        await process_article_url(wire(), deps, url, discovered=True)
    assert counts(deps) == (1, 1, 1, 1)
    reloads = _reloads(deps)

    again = await process_article_url(wire(), deps, url, discovered=True)

    assert (again.event, again.new_article, again.development_kind) == (
        "revision",
        False,
        "revision",
    )
    with deps.store.session() as session:
        numbers = session.exec(select(RevisionRow.number).order_by(RevisionRow.number)).all()
        assert list(numbers) == [0, 1]
    if isinstance(deps.tracking_gate, Coordinator):
        assert _reloads(deps) == reloads + 1  # the gate rebuilt its engine after the failure


def _reloads(deps: Deps) -> int:
    return deps.tracking_gate.reloads if isinstance(deps.tracking_gate, Coordinator) else 0
