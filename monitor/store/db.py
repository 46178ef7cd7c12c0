"""Database engines: one function that turns a URL into a configured SQLAlchemy engine.

SQLite gets WAL, foreign keys and a busy timeout on every connection; PostgreSQL goes through
psycopg 3 (``postgresql+psycopg://``) with connect, statement and lock timeouts. Plain
``postgresql://`` URLs are upgraded to psycopg.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import create_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
# PostgreSQL: a server that accepts but never answers, a statement that runs away and a lock
# held by another session all end in an error within these bounds instead of a hang.
POSTGRES_CONNECT_TIMEOUT_S = 5
POSTGRES_STATEMENT_TIMEOUT_MS = 30_000
POSTGRES_LOCK_TIMEOUT_MS = 10_000
POOL_TIMEOUT_S = 30  # waiting for a free pooled connection
SUPPORTED_BACKENDS = frozenset({"sqlite", "postgresql"})


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver the URL names (or none)."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite files get their parent folder created."""
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise ValueError(
            f"{parsed.get_backend_name()} is not supported; use sqlite:///PATH or "
            "postgresql+psycopg://USER:PASSWORD@HOST/DATABASE"
        )
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, echo)
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=POOL_TIMEOUT_S,
        connect_args={
            "connect_timeout": POSTGRES_CONNECT_TIMEOUT_S,
            "options": _postgres_options(parsed.query.get("options")),
        },
    )


def _postgres_options(given: str | tuple[str, ...] | None) -> str:
    """The URL's own ``options`` (a search_path, say) followed by our timeouts."""
    ours = (
        f"-c statement_timeout={POSTGRES_STATEMENT_TIMEOUT_MS} "
        f"-c lock_timeout={POSTGRES_LOCK_TIMEOUT_MS}"
    )
    if not given:
        return ours
    return " ".join([*([given] if isinstance(given, str) else given), ours])


def _sqlite_engine(url: str, database: str | None, echo: bool) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
