"""A database lock held by another session ends in a clear error within a bound, not a hang
(SQLite: its busy timeout; PostgreSQL: ``lock_timeout``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from monitor.errors import StoreError
from monitor.models import Health
from monitor.store import Store
from monitor.store.db import POSTGRES_LOCK_TIMEOUT_MS, SQLITE_BUSY_TIMEOUT_MS
from monitor.store.sources import SourceDefinition, record_check, sync_sources

NOW = datetime(2026, 11, 29, 9, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store.open(database_url)
    with opened.session() as session:
        sync_sources(session, [SourceDefinition("wire", "https://wire.test/feed", "feed")], NOW)
    yield opened
    opened.close()


def test_a_write_behind_a_held_lock_fails_within_the_bound(store: Store) -> None:
    sqlite = store.engine.dialect.name == "sqlite"
    bound = (SQLITE_BUSY_TIMEOUT_MS if sqlite else POSTGRES_LOCK_TIMEOUT_MS) / 1000
    with store.engine.connect() as other:  # another session holds the source row (or the file)
        if sqlite:
            other.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            other.begin()
            other.execute(text("SELECT name FROM source WHERE name = 'wire' FOR UPDATE"))
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"locked|lock timeout"), store.connection() as conn:
            record_check(
                conn,
                "wire",
                now=NOW,
                health=Health.OK,
                consecutive_failures=0,
                next_check_at=None,
                error=None,
            )
        waited = time.monotonic() - started
        other.rollback()
    assert waited < bound * 3  # the bound, with room for a loaded machine; never a hang
