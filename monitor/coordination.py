"""Several instances on one PostgreSQL database: this instance's part in sharing the work.

The ``Coordinator`` registers the instance, beats its heartbeat (renewing the leases of the
checks it is running), claims due sources in small batches, hands the tracker to the pipeline
through a gate that serialises tracking across instances, and holds the ``delivery`` role —
a PostgreSQL advisory lock on a connection of its own, which the server drops when the process
or its connection dies — so that one instance delivers and the per-endpoint limits and the
per-story order hold across instances. Every statement lives in ``monitor.store``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from monitor import __version__
from monitor.config import TrackingConfig
from monitor.fetch import host_key
from monitor.store import Store, claims, instances
from monitor.store.db import normalise_database_url

if TYPE_CHECKING:  # the story engine is imported when the gate first hands it over
    from monitor.track import Tracker

log = structlog.get_logger("monitor.coordination")

DELIVERY_ROLE = "delivery"
ROLE_LOCKS = {DELIVERY_ROLE: 0x6D6F6E64}  # "mond"
FORGET_AFTER_LEASES = 10
T = TypeVar("T")


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
        # Hosts (per-host politeness among instances, PostgreSQL): the leases held and until
        # when, requests running per host, when each host may next be contacted, and the host
        # of each source being checked.
        self.shares_hosts = store.engine.dialect.name == "postgresql"
        self.hosts: dict[str, datetime] = {}
        self.busy: Counter[str] = Counter()
        self.quiet_until: dict[str, datetime] = {}
        self.source_hosts: dict[str, str] = {}
        self._taking_hosts: dict[str, asyncio.Future[bool]] = {}  # lease asks under way
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
            if self.shares_hosts:
                self._renew_hosts(session.connection(), running, now)
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
            self._hand_back_hosts(session)
        self.close()
        log.info("instance_left", instance=self.id, leases_released=released)

    def leave(self) -> None:
        """The end of a run that never started the coordinator (``monitor once``, a one-off
        check): hand back the hosts its requests took, so that the next run does not find them
        another instance's for a whole lease, then close the connections."""
        if self.hosts:
            try:
                with self.store.session() as session:
                    self._hand_back_hosts(session)
            except SQLAlchemyError as exc:  # they run out with their lease instead
                log.warning("host_leases_kept", error=str(exc).splitlines()[0])
        self.close()

    def _hand_back_hosts(self, session: Session) -> None:
        """Idle hosts are free once their spacing (or a block they asked for) ends; a host with
        requests still running keeps its lease until it runs out."""
        now = self.clock()
        idle = [host for host in list(self.hosts) if host not in self.busy]
        quiet = {host: max(now, self.quiet_until.get(host, now)) for host in idle}
        claims.release_hosts(session, self.id, quiet)
        self.hosts.clear()

    def close(self) -> None:
        """Close the coordinator's own connections (a stop does; an instance never started,
        e.g. a one-off check that took host leases, only needs this)."""
        with self._claim_lock:
            self._close_claim_connection()
        if self._role_connection is not None:
            with contextlib.suppress(SQLAlchemyError):  # the pool keeps the connection: unlock
                self._role_connection.execute(text("SELECT pg_advisory_unlock_all()"))
            self._role_connection.close()
            self._role_connection = None
        self.roles.clear()

    # ---------------------------------------------------------------- source checks

    def plan(
        self, planned: dict[str, datetime | None], hosts: dict[str, str] | None = None
    ) -> None:
        """Claim rows for the sources configured (and enabled), and none for the others; each
        knows its host (``hosts``: by source), whose lease its check takes."""
        with self.store.session() as session:
            claims.serialise_setup(session)
            claims.plan_sources(session, planned, self.clock(), hosts)
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
        now = self.clock()  # the leases end a lease from here, in the database as in self.hosts
        try:
            kept, claimed = self._claim(limit, finished, now)
        except BaseException:
            self.finished = {**finished, **self.finished}
            raise
        if kept < len(finished):
            log.warning("source_leases_lost", instance=self.id, count=len(finished) - kept)
        for name in finished:
            self.source_hosts.pop(name, None)
        for name, host in claimed:
            if host is not None:
                self.source_hosts[name] = host
                self.hosts[host] = max(self.hosts.get(host, now), now + self.lease)
        self.in_flight.update(name for name, _host in claimed)
        return [name for name, _host in claimed]

    def _claim(
        self, limit: int, finished: dict[str, datetime], now: datetime
    ) -> tuple[int, list[tuple[str, str | None]]]:
        if not self.shares_hosts:  # SQLite: this instance alone
            with self.store.session() as session:
                kept = claims.finish_sources(session, owner=self.id, finished=finished)
                claimed = claims.claim_sources(
                    session, owner=self.id, now=now, lease=self.lease, limit=limit
                )
            return kept, [(name, None) for name in claimed]
        return self._on_own_connection(
            lambda connection: claims.claim_tick(
                connection, owner=self.id, finished=finished, now=now, lease=self.lease, limit=limit
            )
        )

    def _on_own_connection(self, work: Callable[[Connection], T]) -> T:
        """``work`` on the coordinator's own connection (autocommit), for claims and host
        leases: no pool checkout, no transaction per tick. Dropped when it fails; the next use
        connects again."""
        with self._claim_lock:
            if self._claim_connection is None:
                connection = self.store.engine.connect()
                self._claim_connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            try:
                return work(self._claim_connection)
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
        """Of ``candidates``, those this instance takes: of hosts it holds or takes now."""
        if self.shares_hosts and candidates:
            hosts = {pair[0]: host_key(pair[0]) for pair in candidates}
            wanted = {host: now + self.lease for host in hosts.values() if host is not None}
            taken = claims.take_hosts(session.connection(), owner=self.id, until=wanted, now=now)
            for host in taken:
                self.hosts[host] = max(self.hosts.get(host, now), wanted[host])
            candidates = [pair for pair in candidates if hosts[pair[0]] in taken]
        return claims.claim_rechecks(session, now=now, lease=self.lease, candidates=candidates)

    # ---------------------------------------------------------------- hosts

    async def enter_host(self, host: str, spacing: float) -> bool:
        """``HostGuard``: whether a request to ``host`` may start now, taking (or extending)
        its lease when what this instance holds would not cover the request's spacing.

        Requests that find the lease short while it is being asked for share that answer
        instead of each asking again (a thousand checks starting at once were a hundred
        identical statements); one that a granted lease does not cover — a clock that moved
        on meanwhile — asks for itself."""
        if self._lease_short(host, spacing):
            pending = self._taking_hosts.get(host)
            shared = pending is not None
            if pending is None:
                pending = self._ask_for_host(host, spacing)
            granted = await asyncio.shield(pending)
            if granted and shared and self._lease_short(host, spacing):
                granted = await asyncio.shield(self._ask_for_host(host, spacing))
            if not granted:
                return False
        self.busy[host] += 1
        return True

    def _lease_short(self, host: str, spacing: float) -> bool:
        """Whether what this instance holds of ``host`` ends too soon for a request now."""
        held = self.hosts.get(host)
        return held is None or held < self.clock() + timedelta(seconds=spacing) + self.lease / 4

    def _ask_for_host(self, host: str, spacing: float) -> asyncio.Future[bool]:
        """Ask for ``host``'s lease (in a thread); the answer, which other requests may share
        until it comes."""
        now = self.clock()
        until = now + self.lease + timedelta(seconds=spacing)
        asked = asyncio.ensure_future(self._take_host_async(host, until, now))
        self._taking_hosts[host] = asked

        def forget(done: asyncio.Future[bool]) -> None:
            if self._taking_hosts.get(host) is done:
                del self._taking_hosts[host]

        asked.add_done_callback(forget)
        return asked

    async def _take_host_async(self, host: str, until: datetime, now: datetime) -> bool:
        try:
            return await asyncio.to_thread(self._take_host, host, until, now)
        except SQLAlchemyError as exc:
            log.warning("host_lease_failed", host=host, error=str(exc).splitlines()[0])
            return False

    def leave_host(self, host: str, quiet_for: float) -> None:
        """``HostGuard``: a request to ``host`` ended; others must wait ``quiet_for`` more."""
        self.busy[host] -= 1
        if self.busy[host] <= 0:
            del self.busy[host]
        if quiet_for > 0:
            until = self.clock() + timedelta(seconds=quiet_for)
            self.quiet_until[host] = max(self.quiet_until.get(host, until), until)

    def _take_host(self, host: str, until: datetime, now: datetime) -> bool:
        taken = self._on_own_connection(
            lambda connection: claims.take_hosts(
                connection, owner=self.id, until={host: until}, now=now
            )
        )
        if host in taken:
            self.hosts[host] = max(self.hosts.get(host, until), until)
            return True
        self.hosts.pop(host, None)
        return False

    def _renew_hosts(self, connection: Connection, running: Collection[str], now: datetime) -> None:
        """Heartbeat: hosts with requests or checks running stay this instance's for a lease
        more, and a host that must be left alone longer (its spacing, a block it asked for)
        until then; the others run out."""
        # copies, taken at once: the event loop counts requests while this runs in a thread
        busy, quiet_until = set(self.busy), dict(self.quiet_until)
        busy |= {self.source_hosts[n] for n in running if n in self.source_hosts}
        wanted = dict.fromkeys(busy, now + self.lease)
        for host, quiet in quiet_until.items():
            if quiet > self.hosts.get(host, now) and quiet > wanted.get(host, now):
                wanted[host] = quiet
            if quiet <= now:
                self.quiet_until.pop(host, None)
        taken = claims.take_hosts(connection, owner=self.id, until=wanted, now=now)
        for host in wanted:
            if host in taken:
                self.hosts[host] = max(self.hosts.get(host, now), wanted[host])
            else:
                self.hosts.pop(host, None)
        for host, at in list(self.hosts.items()):
            if at <= now:
                self.hosts.pop(host, None)

    # ---------------------------------------------------------------- the tracking gate

    def enter(self, session: Session) -> Tracker:
        """Lock tracking for this transaction; the engine, reloaded if another instance (or a
        failed transaction of this one) stored a decision since it was loaded."""
        epoch = claims.enter_tracking(session, self.id)
        if self._tracker is None or epoch - 1 != self._epoch:
            from monitor.observe import load_tracker

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
