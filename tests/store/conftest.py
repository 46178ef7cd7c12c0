"""Fixtures shared by the storage tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monitor.store.repository import Store


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A store opened on the test database (SQLite, and PostgreSQL when given), closed after."""
    opened = Store.open(database_url)
    yield opened
    opened.close()
