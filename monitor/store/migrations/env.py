"""Alembic environment: runs on the connection that ``monitor.store.migrate`` hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import monitor.store.tables

try:
    import monitor.store.outbox  # noqa: F401
except ImportError:  # pragma: no cover - the outbox module lands with the alerts work
    pass

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")

if connection is None:  # `alembic revision --autogenerate` from the command line
    import os

    from monitor.store.db import make_engine

    engine = make_engine(os.environ.get("MONITOR_DATABASE_URL", "sqlite:///data/monitor.db"))
    with engine.begin() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    context.run_migrations()
