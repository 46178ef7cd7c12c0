"""SQLite migrations are crash-safe: killed after any statement, the next start still works."""

from __future__ import annotations

import os
import traceback
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, inspect, text

from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.db import make_engine
from monitor.store.migrate import current_revision, head_revision

KILLED = 3
FAILED = 4


def _open_and_die_after(url: str, statements: int) -> int:
    """Open the store in a child process that dies (as if SIGKILLed) after ``statements`` SQL
    statements; the child's exit code, ``KILLED`` when it died part-way."""
    pid = os.fork()
    if pid == 0:  # the child: count statements, die at the chosen one
        executed = 0

        def count(*_args: Any) -> None:
            nonlocal executed
            executed += 1
            if executed == statements:
                os._exit(KILLED)

        event.listen(Engine, "after_cursor_execute", count)
        try:
            Store.open(url).close()
        except BaseException:  # not "the migration finished": say why, for the parent to fail
            traceback.print_exc()
            os._exit(FAILED)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.slow
def test_a_migration_killed_after_any_statement_leaves_a_database_the_next_start_opens(
    tmp_path: Path,
) -> None:
    statement = 0
    while True:
        statement += 1
        url = f"sqlite:///{tmp_path / f'killed-{statement}.db'}"
        code = _open_and_die_after(url, statement)
        assert code in (KILLED, 0), f"the child failed at statement {statement} (exit {code})"
        if code != KILLED:
            break  # the migration finished before this statement: every point was tried
        store = Store.open(url)
        try:
            assert current_revision(store.engine) == head_revision(), statement
        finally:
            store.close()
    assert statement > 10  # the migration really was cut at many points


def _half_migrated(url: str, rows: bool) -> None:
    """What a crash of an older monitor left: some tables, no version stamp."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE source (name VARCHAR(64) PRIMARY KEY)"))
        connection.execute(text("CREATE TABLE alert (seq INTEGER PRIMARY KEY)"))
        if rows:
            connection.execute(text("INSERT INTO source (name) VALUES ('wire')"))
    engine.dispose()


def test_an_empty_half_migrated_file_is_repaired(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'half.db'}"
    _half_migrated(url, rows=False)
    store = Store.open(url)
    try:
        assert current_revision(store.engine) == head_revision()
        assert "development" in inspect(store.engine).get_table_names()
    finally:
        store.close()


def test_a_half_migrated_file_holding_rows_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "half.db"
    _half_migrated(f"sqlite:///{path}", rows=True)
    with pytest.raises(
        StoreError, match=r"holds tables \(source\) but no schema version.*mv "
    ) as caught:
        Store.open(f"sqlite:///{path}")
    assert str(path) in str(caught.value)
