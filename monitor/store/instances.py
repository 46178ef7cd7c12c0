"""Who else runs on this database: the SQLite single-instance lock and the PostgreSQL registry.

SQLite holds one monitor at a time: ``lock_sqlite_database`` takes an OS lock (``flock``) on
a file beside the database, which the kernel drops when the process dies, however it dies; the
file says who holds it, for the message the second instance prints. PostgreSQL takes any number:
each instance registers a row (id, host, pid, version, started, heartbeat, roles) and refreshes
its heartbeat; ``list_instances`` is what ``monitor instances`` prints.

Functions taking a ``Session`` leave committing to the caller.
"""

from __future__ import annotations

import fcntl
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import delete
from sqlmodel import Session, col, select

from monitor.errors import StoreError
from monitor.store.tables import InstanceRow


@dataclass(frozen=True, slots=True)
class Instance:
    id: str
    host: str
    pid: int
    version: str
    started_at: datetime
    heartbeat_at: datetime
    roles: tuple[str, ...]

    def alive(self, now: datetime, lease: timedelta) -> bool:
        """Whether its heartbeat is younger than a lease (else it is gone, or cut off)."""
        return now - self.heartbeat_at < lease


class DatabaseInUse(StoreError):
    """Another monitor holds this SQLite database."""


# --------------------------------------------------------------------------- SQLite


@dataclass
class FileLock:
    """An OS lock held on ``path`` for as long as this process keeps the file open."""

    path: Path
    handle: IO[str]

    def release(self) -> None:
        self.handle.close()  # closing drops the flock


def lock_sqlite_database(database: str) -> FileLock:
    """Lock ``database`` (a SQLite path) for this process, or raise ``DatabaseInUse``."""
    path = Path(f"{database}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "pid unknown"
        handle.close()
        raise DatabaseInUse(f"{database} is in use by another monitor ({holder})") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} on host {socket.gethostname()}\n")
    handle.flush()
    return FileLock(path, handle)


# --------------------------------------------------------------------------- PostgreSQL registry


def register(session: Session, instance: Instance) -> None:
    session.merge(
        InstanceRow(
            id=instance.id,
            host=instance.host,
            pid=instance.pid,
            version=instance.version,
            started_at=instance.started_at,
            heartbeat_at=instance.heartbeat_at,
            roles=",".join(instance.roles),
        )
    )


def heartbeat(session: Session, instance_id: str, now: datetime, roles: tuple[str, ...]) -> bool:
    """Refresh ``instance_id``'s heartbeat and roles; False when its row is gone (it was
    forgotten as dead, e.g. after a long pause): the caller registers again."""
    row = session.get(InstanceRow, instance_id)
    if row is None:
        return False
    row.heartbeat_at = now
    row.roles = ",".join(roles)
    session.add(row)
    return True


def forget(session: Session, instance_id: str) -> None:
    session.exec(delete(InstanceRow).where(col(InstanceRow.id) == instance_id))


def forget_silent(session: Session, before: datetime) -> int:
    """Drop instances whose last heartbeat is older than ``before``; how many."""
    statement = delete(InstanceRow).where(col(InstanceRow.heartbeat_at) < before)
    return int(session.exec(statement).rowcount)


def list_instances(session: Session) -> list[Instance]:
    rows = session.exec(select(InstanceRow).order_by(col(InstanceRow.started_at))).all()
    return [
        Instance(
            row.id,
            row.host,
            row.pid,
            row.version,
            row.started_at,
            row.heartbeat_at,
            tuple(role for role in row.roles.split(",") if role),
        )
        for row in rows
    ]
