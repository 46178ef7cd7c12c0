"""Migrations: a new database gets the whole schema, an older one is upgraded, a newer one refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.db import make_engine
from monitor.store.migrate import HEAD_REVISION, current_revision, head_revision
from monitor.store.tables import SourceRow

PIPELINE_TABLES = {
    "source",
    "fetch_state",
    "source_health_event",
    "article",
    "revision",
    "story",
    "development",
}


def test_new_database_gets_every_table(database_url: str) -> None:
    store = Store.open(database_url)
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert tables >= PIPELINE_TABLES
        assert current_revision(store.engine) == head_revision()
        assert store.migrated_from is None
    finally:
        store.close()


def test_the_head_known_without_alembic_is_the_newest_script() -> None:
    """Starts compare the database with ``HEAD_REVISION`` before loading Alembic: a new
    migration script must move it too."""
    assert head_revision() == HEAD_REVISION


def test_opening_twice_is_idempotent_and_keeps_rows(database_url: str) -> None:
    now = datetime(2025, 10, 6, 12, 0, tzinfo=UTC)
    store = Store.open(database_url)
    with store.session() as session:
        session.add(
            SourceRow(name="wire", url="https://x.example/rss", kind="feed", created_at=now)
        )
    store.close()
    again = Store.open(database_url)
    try:
        with again.session() as session:
            row = session.get(SourceRow, "wire")
            assert row is not None
            assert row.created_at == now  # timezone-aware round trip
        assert again.migrated_from == head_revision()
    finally:
        again.close()


def test_older_database_is_upgraded(database_url: str) -> None:
    engine = make_engine(database_url)
    from monitor.store import migrate

    migrate.upgrade(engine, target="base")
    assert current_revision(engine) is None
    engine.dispose()
    store = Store.open(database_url)
    try:
        assert current_revision(store.engine) == head_revision()
    finally:
        store.close()


def test_newer_database_is_refused(database_url: str) -> None:
    Store.open(database_url).close()
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"ffff_from_the_future.*newer monitor"):
        Store.open(database_url)


def test_sqlite_pragmas(tmp_path: object) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/pragmas.db")
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    finally:
        store.close()


def test_unreachable_database_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open database"):
        Store.open("postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2")


def test_recheck_evidence_columns_are_added_to_existing_rows(database_url: str) -> None:
    """0002: an article stored by an older monitor gets ``kind = 'article'``; the new
    ``http_modified`` and ``fetch_state.signal_at`` columns start empty."""
    from monitor.store import migrate

    engine = make_engine(database_url)
    migrate.upgrade(engine, target="0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO article (canonical_url, source_name, first_seen_at, revision_count) "
                "VALUES ('https://a.example/1', 'wire', '2025-10-06 08:00:00', 1)"
            )
        )
        connection.execute(text("INSERT INTO fetch_state (url) VALUES ('https://a.example/1')"))
    migrate.upgrade(engine)
    with engine.connect() as connection:
        article = connection.execute(text("SELECT kind, http_modified FROM article")).one()
        signal = connection.execute(text("SELECT signal_at FROM fetch_state")).scalar_one()
    engine.dispose()
    assert tuple(article) == ("article", None)
    assert signal is None
