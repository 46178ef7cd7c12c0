"""The storage edge: SQLModel tables, migrations and the ``Store`` the shell talks to."""

from monitor.store.repository import Store, open_store

__all__ = ["Store", "open_store"]
