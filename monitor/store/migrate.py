"""Schema migrations with Alembic: upgrade an older database, refuse a newer one.

The migration scripts ship inside the package (``store/migrations``), so an installed
``monitor`` can upgrade its database on start without an ``alembic.ini`` on disk.
On PostgreSQL an advisory lock keeps two instances from migrating at once.

Most starts find the schema already at ``HEAD_REVISION``: one ``SELECT`` says so, and Alembic
(about a fifth of a CPU-second to import and run) is only loaded when there is work to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

import monitor.store.tables  # noqa: F401  (registers every table on the metadata)
from monitor.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
HEAD_REVISION = "0005_host_leases"
"""The newest script in ``migrations/versions`` (a test checks that they agree)."""
_PG_MIGRATION_LOCK = 0x6D6F6E69  # "moni"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migration scripts found"
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to ``target``; raise ``StoreError`` for a schema newer than this code.

    Returns the revisions before and after.
    """
    if target == "head" and _stamped_revisions(engine) == [HEAD_REVISION]:
        return HEAD_REVISION, HEAD_REVISION  # up to date: nothing to lock, nothing to run
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with _one_transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            # this schema's lock: monitors on other schemas of the database (each test has its
            # own) need not wait, nor time out (lock_timeout) queueing behind each other
            connection.execute(
                text(
                    "SELECT pg_advisory_xact_lock(:key, hashtext(coalesce(current_schema(), '')))"
                ),
                {"key": _PG_MIGRATION_LOCK},
            )
        before = _refuse_unknown_revision(connection)
        if before is None:
            _clear_half_migrated(connection, engine)
        command.upgrade(alembic_config(connection), target)
        after = MigrationContext.configure(connection).get_current_revision()
    return before, after


def _stamped_revisions(engine: Engine) -> list[str] | None:
    """The revisions in Alembic's version table, read with one plain ``SELECT``; None when
    there is no such table (a new database). A migration under way elsewhere is not waited
    for: it has not committed the head yet, so the caller takes the locked path and waits."""
    with engine.connect() as connection:
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            return [str(revision) for revision in rows.scalars()]
        except SQLAlchemyError:
            return None


@contextmanager
def _one_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection whose DDL and version stamp commit together or not at all.

    PostgreSQL does that on its own. Python's sqlite3 runs DDL outside any transaction, so a
    crash part-way used to leave half the tables and no version stamp; here the driver's own
    transaction handling is switched off and ``BEGIN IMMEDIATE`` opens one (SQLite's DDL is
    transactional), which also keeps a second instance from migrating at the same time.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        autocommit = driver.isolation_level
        driver.isolation_level = None
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield connection
            connection.exec_driver_sql("COMMIT")
        except BaseException:
            if driver.in_transaction:
                driver.rollback()
            raise
        finally:
            connection.commit()  # ends SQLAlchemy's own view of the transaction
            driver.isolation_level = autocommit


def _clear_half_migrated(connection: Connection, engine: Engine) -> None:
    """Tables without a version stamp: what a crash of an older monitor part-way through its
    first migration left. Empty, they are dropped and the migration starts over; holding rows,
    they are not ours to drop, and the database is refused with the command that sets it aside."""
    ours = set(SQLModel.metadata.tables)
    tables = [name for name in inspect(connection).get_table_names() if name in ours]
    if not tables:
        return
    filled = [name for name in tables if _has_rows(connection, name)]
    if filled:
        where = engine.url.database or engine.url.render_as_string(hide_password=True)
        raise StoreError(
            f"the database {where} holds tables ({', '.join(sorted(filled))}) but no schema "
            "version: it is not a monitor database, or an older monitor stopped part-way through "
            f"creating it. Set it aside and start afresh: mv {where} {where}.broken"
        )
    for name in tables:
        connection.execute(text(f'DROP TABLE "{name}"'))


def _has_rows(connection: Connection, table: str) -> bool:
    return connection.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first() is not None


def _refuse_unknown_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        return None
    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = script.get_revision(current)
    except CommandError:
        known = None
    if known is None:
        raise StoreError(
            f"the database schema is at revision {current}, which this version of monitor "
            f"does not know (it knows up to {script.get_current_head()}): the database was "
            "written by a newer monitor; upgrade monitor or point it at another database"
        )
    return current
