"""``monitor instances``: the monitors running on this configuration's database."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.commands.daemon import _ago, _table
from monitor.commands.options import add_config_option, read_only_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "instances", help="List the monitors running on the database, with their roles."
    )
    add_config_option(parser)
    parser.add_argument("--json", action="store_true", help="Print the instances as JSON.")
    parser.set_defaults(handler=instances_command)


def instances_command(args: argparse.Namespace) -> int:
    from monitor.coordination import lock_if_sqlite
    from monitor.store import Store
    from monitor.store.instances import DatabaseInUse, list_instances

    settings = read_only_settings(args)
    try:
        lock = lock_if_sqlite(settings.storage.database_url)
    except DatabaseInUse as exc:  # SQLite: one monitor at a time, and this is the one
        print(str(exc).replace("in use by another monitor", "in use by a monitor"))
        return 0
    if lock is not None:
        lock.release()
        print("no monitor is running on this SQLite database")
        return 0
    store = Store.open(settings.storage.database_url)
    try:
        with store.session() as session:
            found = list_instances(session)
    finally:
        store.close()
    lease = timedelta(seconds=settings.instances.lease)
    now = datetime.now(UTC)
    if args.json:
        print(json.dumps([_json(entry, now, lease) for entry in found], indent=2))
        return 0
    header = ["ID", "HOST", "PID", "VERSION", "STARTED", "HEARTBEAT", "STATE", "ROLES"]
    rows = [
        [
            entry.id,
            entry.host,
            str(entry.pid),
            entry.version,
            _ago(entry.started_at),
            _ago(entry.heartbeat_at),
            "alive" if entry.alive(now, lease) else "silent",
            ",".join(entry.roles) or "-",
        ]
        for entry in found
    ]
    print(_table(header, rows) if rows else "no monitor is running on this database")
    return 0


def _json(entry: Any, now: datetime, lease: timedelta) -> dict[str, object]:
    return {
        "id": entry.id,
        "host": entry.host,
        "pid": entry.pid,
        "version": entry.version,
        "started_at": entry.started_at.isoformat(),
        "heartbeat_at": entry.heartbeat_at.isoformat(),
        "alive": entry.alive(now, lease),
        "roles": list(entry.roles),
    }
