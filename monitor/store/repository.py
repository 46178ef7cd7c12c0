"""The store: one object the shell holds, giving sessions and domain-level reads and writes.

``Store.open(url)`` makes the engine and migrates the schema. ``Store.session()`` is one
transaction: it commits when the block ends normally and rolls back otherwise, and turns
database errors into ``StoreError``.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from monitor.errors import StoreError
from monitor.store import migrate
from monitor.store.db import make_engine

ACTIVITY: ContextVar[str] = ContextVar("store_activity", default="database work")
"""What the caller is doing with the database, for ``Store.waiting`` (set it around a call)."""


class Store:
    """Access to the database of one monitor instance."""

    def __init__(self, engine: Engine, migrated_from: str | None = None) -> None:
        self.engine = engine
        self.migrated_from = migrated_from
        self.schema_revision: str | None = None
        self._busy: dict[int, tuple[str, float]] = {}
        self._busy_lock = threading.Lock()
        self._tickets = itertools.count()

    @contextmanager
    def _tracked(self) -> Iterator[None]:
        ticket = next(self._tickets)
        with self._busy_lock:
            self._busy[ticket] = (ACTIVITY.get(), time.monotonic())
        try:
            yield
        finally:
            with self._busy_lock:
                del self._busy[ticket]

    def waiting(self) -> tuple[str, float] | None:
        """The longest-running database transaction now: what it does and for how many
        seconds (None when the database is idle). /healthz reports it when it is stuck."""
        with self._busy_lock:
            if not self._busy:
                return None
            what, since = min(self._busy.values(), key=lambda entry: entry[1])
        return what, time.monotonic() - since

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Connect to ``url`` and bring its schema up to date (or refuse a newer one)."""
        before = after = None
        try:
            engine = make_engine(url)
        except (SQLAlchemyError, ValueError) as exc:
            raise StoreError(f"bad database URL {_safe_url(url)}: {_reason(exc)}") from exc
        try:
            if upgrade:
                before, after = migrate.upgrade(engine)
        except StoreError:
            engine.dispose()
            raise
        except (SQLAlchemyError, OSError) as exc:
            engine.dispose()
            raise StoreError(f"cannot open database {_safe_url(url)}: {_reason(exc)}") from exc
        store = cls(engine, migrated_from=before)
        store.schema_revision = after
        return store

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction; commits on success."""
        session = Session(self.engine, expire_on_commit=False)
        try:
            with self._tracked():
                yield session
                session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise StoreError(f"database error: {_reason(exc)}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """One transaction without the ORM, for the statements of every check; commits on
        success."""
        try:
            with self._tracked(), self.engine.begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise StoreError(f"database error: {_reason(exc)}") from exc

    def ping(self) -> bool:
        """Whether the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None)
    return str(original or exc).strip().splitlines()[0]


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def open_store(url: str) -> Store:
    return Store.open(url)
