"""Schema migrations with Alembic: upgrade an older database, refuse a newer one.

The migration scripts ship inside the package (``store/migrations``), so an installed
``monitor`` can upgrade its database on start without an ``alembic.ini`` on disk.
On PostgreSQL an advisory lock keeps two instances from migrating at once.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, text

from monitor.errors import StoreError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 0x6D6F6E69  # "moni"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migration scripts found"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to ``target``; raise ``StoreError`` for a schema newer than this code.

    Returns the revisions before and after.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        before = _refuse_unknown_revision(connection)
        command.upgrade(alembic_config(connection), target)
        after = MigrationContext.configure(connection).get_current_revision()
    return before, after


def _refuse_unknown_revision(connection: Connection) -> str | None:
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
