"""Checks running together share their reads and writes of check state (``CheckLedger``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from monitor.ledger import CheckLedger
from monitor.models import Health, Validators
from monitor.store import Store
from monitor.store.sources import (
    CheckRecord,
    SourceDefinition,
    save_validators,
    sync_sources,
)
from monitor.store.tables import SourceRow

NOW = datetime(2026, 11, 29, 9, tzinfo=UTC)
SOURCES = 40


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store.open(database_url)
    with opened.session() as session:
        definitions = [
            SourceDefinition(f"feed-{i}", f"https://feeds.test/{i}.xml", "feed")
            for i in range(SOURCES)
        ]
        sync_sources(session, definitions, NOW)
        save_validators(session, "https://feeds.test/3.xml#config-x", Validators('"e3"'), 200, NOW)
    yield opened
    opened.close()


class Statements:
    """The SQL statements the store's engine runs while counting (``executemany`` counts once)."""

    def __init__(self, store: Store) -> None:
        self.seen: list[str] = []
        event.listen(store.engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append(statement.split()[0].upper())

    def of(self, kind: str) -> int:
        return self.seen.count(kind)


def test_checks_starting_together_read_in_one_batch(store: Store) -> None:
    ledger = CheckLedger(store)
    statements = Statements(store)
    keys = [(f"feed-{i}", f"https://feeds.test/{i}.xml#config-x") for i in range(SOURCES)]

    async def read_all() -> list[Any]:
        return await asyncio.gather(*(ledger.read(name, key) for name, key in keys))

    found = asyncio.run(read_all())
    assert statements.of("SELECT") == 2  # the sources, the listings' validators
    assert [check.validators for check in found].count(None) == SOURCES - 1
    assert found[3].validators == Validators('"e3"')
    assert all(check.health.health is Health.OK for check in found)


def test_a_check_alone_reads_in_one_statement(store: Store) -> None:
    ledger = CheckLedger(store)
    statements = Statements(store)
    found = asyncio.run(ledger.read("feed-3", "https://feeds.test/3.xml#config-x"))
    assert statements.seen == ["SELECT"]
    assert found.validators == Validators('"e3"')
    unknown = asyncio.run(ledger.read("nowhere", "https://nowhere.test/#config-x"))
    assert unknown.validators is None
    assert unknown.next_check_at is None


def test_checks_ending_together_write_in_one_transaction_and_wait_for_it(store: Store) -> None:
    ledger = CheckLedger(store)
    statements = Statements(store)
    commits: list[object] = []
    event.listen(store.engine, "commit", lambda connection: commits.append(connection))
    later = NOW + timedelta(hours=1)

    def record(i: int) -> CheckRecord:
        failed = i % 10 == 0
        return CheckRecord(
            f"feed-{i}", NOW, Health.OK, int(failed), later, "timed out" if failed else None
        )

    async def write_all() -> None:
        await asyncio.gather(*(ledger.record(record(i)) for i in range(SOURCES)))

    asyncio.run(write_all())
    assert len(commits) == 1
    assert statements.of("UPDATE") == 2  # one executemany for successes, one for failures
    with store.session() as session:
        rows = {row.name: row for row in session.exec(select(SourceRow)).scalars()}
    assert all(rows[f"feed-{i}"].last_checked_at is not None for i in range(SOURCES))
    assert rows["feed-10"].consecutive_failures == 1
    assert rows["feed-10"].last_error == "timed out"
    assert rows["feed-11"].last_success_at is not None
    assert rows["feed-10"].last_success_at is None


def test_a_batch_naming_a_source_without_a_row_fails_every_waiting_check(store: Store) -> None:
    ledger = CheckLedger(store)
    records = [
        CheckRecord(name, NOW, Health.OK, 0, NOW, None) for name in ("feed-1", "gone", "feed-2")
    ]

    async def write_all() -> list[object]:
        return await asyncio.gather(
            *(ledger.record(record) for record in records), return_exceptions=True
        )

    outcomes = asyncio.run(write_all())
    assert all(isinstance(outcome, KeyError) and "gone" in str(outcome) for outcome in outcomes)
    with store.session() as session:  # the transaction rolled back: nothing half-written
        checked = session.exec(select(SourceRow.last_checked_at)).scalars().all()
    assert checked == [None] * SOURCES
