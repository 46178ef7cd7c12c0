"""Several instances on one PostgreSQL database: this instance's part in sharing the work.

The ``Coordinator`` registers the instance, beats its heartbeat (renewing the leases of the
checks it is running), claims due sources in small batches, hands the tracker to the pipeline
through a gate that serialises tracking across instances, and holds the ``delivery`` role —
a PostgreSQL advisory lock on a connection of its own, which the server drops when the process
or its connection dies — so that one instance delivers and the per-endpoint limits and the
per-story order hold across instances. Every statement lives in ``monitor.store``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import uuid
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from monitor import __version__
from monitor.config import TrackingConfig
from monitor.observe import load_tracker
from monitor.store import Store, claims, instances
from monitor.store.db import normalise_database_url
from monitor.track import Tracker

log = structlog.get_logger("monitor.coordination")

DELIVERY_ROLE = "delivery"
ROLE_LOCKS = {DELIVERY_ROLE: 0x6D6F6E64}  # "mond"
FORGET_AFTER_LEASES = 10


def new_instance_id() -> str:
    return uuid.uuid4().hex[:16]


class Coordinator:
    """This instance among others: registry, leases, roles and the tracking gate."""

    def __init__(
        self,
        store: Store,
        tracking: Callable[[], TrackingConfig],
        *,
        lease: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.tracking = tracking
        self.lease = lease
        self.clock = clock
        self.id = new_instance_id()
        self.started_at = clock()
        self.in_flight: set[str] = set()
        self.finished: dict[str, datetime] = {}  # checked, handed back with the next claim
        self.roles: set[str] = set()
        self._role_connection: Connection | None = None
        self._claim_connection: Connection | None = None  # PostgreSQL: claims, in autocommit
        self._claim_lock = threading.Lock()
        self._tracker: Tracker | None = None
        self._epoch: int | None = None
        self.reloads = 0
        self.started = False

    # ---------------------------------------------------------------- registry and roles

    def start(self) -> None:
        self.started = True
        self.take_roles()
        self._register(self.clock())
        log.info("instance_registered", instance=self.id, roles=sorted(self.roles))

    def _register(self, now: datetime) -> None:
        entry = instances.Instance(
            self.id,
            socket.gethostname(),
            os.getpid(),
            __version__,
            self.started_at,
            now,
            tuple(sorted(self.roles)),
        )
        with self.store.session() as session:
            instances.register(session, entry)

    def beat(self, running: Collection[str] | None = None) -> None:
        """Heartbeat: keep the registry row fresh, the ``running`` checks' leases alive (by
        default those in flight), and the roles held (taking one a dead instance left)."""
        now = self.clock()
        self.take_roles()
        running = list(self.in_flight) if running is None else running
        with self.store.session() as session:
            known = instances.heartbeat(session, self.id, now, tuple(sorted(self.roles)))
            claims.renew_sources(session, owner=self.id, names=running, until=now + self.lease)
            instances.forget_silent(session, now - self.lease * FORGET_AFTER_LEASES)
        if not known:
            self._register(now)

    def take_roles(self) -> None:
        """Try for each role not held; drop every role when its connection is gone."""
        if self.store.engine.dialect.name != "postgresql":
            self.roles = set(ROLE_LOCKS)
            return
        try:
            connection = self._connection()
            for role, key in ROLE_LOCKS.items():
                if role not in self.roles and _try_lock(connection, key):
                    self.roles.add(role)
                    log.info("role_taken", instance=self.id, role=role)
        except SQLAlchemyError as exc:
            self._drop_roles(str(exc).splitlines()[0])

    def _connection(self) -> Connection:
        if self._role_connection is None:
            connection = self.store.engine.connect()
            self._role_connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            self.roles.clear()
        self._role_connection.execute(text("SELECT 1"))  # fails if the session is gone
        return self._role_connection

    def _drop_roles(self, why: str) -> None:
        if self.roles:
            log.warning("roles_lost", instance=self.id, roles=sorted(self.roles), error=why)
        self.roles.clear()
        if self._role_connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._role_connection.invalidate()
            self._role_connection = None

    def holds(self, role: str) -> bool:
        return role in self.roles

    def stop(self) -> None:
        """A graceful stop: release the leases and roles and leave the registry."""
        self.started = False
        with self.store.session() as session:
            claims.finish_sources(session, owner=self.id, finished=self.finished)
            released = claims.release_sources(session, self.id)
            instances.forget(session, self.id)
        with self._claim_lock:
            self._close_claim_connection()
        if self._role_connection is not None:
            with contextlib.suppress(SQLAlchemyError):  # the pool keeps the connection: unlock
                self._role_connection.execute(text("SELECT pg_advisory_unlock_all()"))
            self._role_connection.close()
            self._role_connection = None
        self.roles.clear()
        log.info("instance_left", instance=self.id, leases_released=released)

    # ---------------------------------------------------------------- source checks

    def plan(self, planned: dict[str, datetime | None]) -> None:
        """Claim rows for the sources configured (and enabled), and none for the others."""
        with self.store.session() as session:
            claims.serialise_setup(session)
            claims.plan_sources(session, planned, self.clock())
            claims.retire_sources(session, list(planned))

    def take_finished(self) -> dict[str, datetime]:
        """The sources checked since the last claim (to hand to ``claim``, from the loop)."""
        finished, self.finished = self.finished, {}
        return finished

    def claim(self, limit: int, finished: dict[str, datetime] | None = None) -> list[str]:
        """Hand back the ``finished`` sources, and lease up to ``limit`` due sources to this
        instance: one transaction a tick, whatever the number of checks (on PostgreSQL one
        statement, on a connection of the coordinator's own). If it fails, the finished
        sources are handed back with the next claim."""
        finished = self.take_finished() if finished is None else finished
        try:
            kept, claimed = self._claim(limit, finished)
        except BaseException:
            self.finished = {**finished, **self.finished}
            raise
        if kept < len(finished):
            log.warning("source_leases_lost", instance=self.id, count=len(finished) - kept)
        self.in_flight.update(claimed)
        return claimed

    def _claim(self, limit: int, finished: dict[str, datetime]) -> tuple[int, list[str]]:
        now = self.clock()
        if self.store.engine.dialect.name != "postgresql":
            with self.store.session() as session:
                kept = claims.finish_sources(session, owner=self.id, finished=finished)
                claimed = claims.claim_sources(
                    session, owner=self.id, now=now, lease=self.lease, limit=limit
                )
            return kept, claimed
        with self._claim_lock:
            try:
                if self._claim_connection is None:
                    connection = self.store.engine.connect()
                    self._claim_connection = connection.execution_options(
                        isolation_level="AUTOCOMMIT"
                    )
                return claims.claim_tick(
                    self._claim_connection,
                    owner=self.id,
                    finished=finished,
                    now=now,
                    lease=self.lease,
                    limit=limit,
                )
            except SQLAlchemyError:
                self._close_claim_connection(invalidate=True)
                raise

    def _close_claim_connection(self, *, invalidate: bool = False) -> None:
        connection, self._claim_connection = self._claim_connection, None
        if connection is None:
            return
        with contextlib.suppress(SQLAlchemyError):
            if invalidate:
                connection.invalidate()
            connection.close()

    def finish(self, name: str, interval: float) -> None:
        """The check of ``name`` ended: its next check is stored (and its lease dropped) with
        the next claim; until then the lease keeps it from others."""
        self.in_flight.discard(name)
        self.finished[name] = self.clock() + timedelta(seconds=interval)

    def claim_rechecks(
        self, session: Any, now: datetime, candidates: list[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        return claims.claim_rechecks(session, now=now, lease=self.lease, candidates=candidates)

    # ---------------------------------------------------------------- the tracking gate

    def enter(self, session: Session) -> Tracker:
        """Lock tracking for this transaction; the engine, reloaded if another instance (or a
        failed transaction of this one) stored a decision since it was loaded."""
        epoch = claims.enter_tracking(session, self.id)
        if self._tracker is None or epoch - 1 != self._epoch:
            self._tracker = load_tracker(session, self.tracking())
            self.reloads += 1
        self._epoch = epoch  # if the transaction fails, the stored epoch stays one less
        return self._tracker


def lock_if_sqlite(database_url: str) -> instances.FileLock | None:
    """On a SQLite file, this instance alone: the lock, or ``DatabaseInUse``."""
    url = make_url(normalise_database_url(database_url))
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return instances.lock_sqlite_database(database)


def _try_lock(connection: Connection, key: int) -> bool:
    """Take the advisory lock ``key`` of this schema (another schema of the same database is
    another monitor's: advisory locks are database-wide, so the schema is half of the key)."""
    statement = text("SELECT pg_try_advisory_lock(:key, hashtext(current_schema()))")
    return bool(connection.execute(statement, {"key": key}).scalar())
