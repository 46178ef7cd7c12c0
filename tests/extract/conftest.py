"""Helpers for the extraction tests: the handcrafted pages in ``data/``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def page() -> Callable[[str], bytes]:
    """Read one page of ``tests/extract/data`` as bytes."""

    def read(name: str) -> bytes:
        return (DATA / name).read_bytes()

    return read
