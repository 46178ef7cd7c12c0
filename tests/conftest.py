"""Fixtures every test area shares: where ../shared is, and the databases to run on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_DATABASE_ENV = "MONITOR_TEST_DATABASE_URL"


def shared_path() -> Path:
    """``../shared`` beside the checkout, or ``$MONITOR_SHARED_DIR``."""
    return Path(os.environ.get("MONITOR_SHARED_DIR", REPO_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = shared_path()
    if not (path / "data").is_dir():
        pytest.skip(f"shared data not found at {path}")
    return path


def postgres_url() -> str | None:
    return os.environ.get(TEST_DATABASE_ENV) or None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on SQLite and (when configured) on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
        return
    url = postgres_url()
    if url is None:
        pytest.skip(f"{TEST_DATABASE_ENV} not set")
    yield from _fresh_postgres_schema(url)


def _fresh_postgres_schema(url: str) -> Iterator[str]:
    """Give each test its own schema so tests never see each other's rows."""
    import uuid

    import psycopg

    from monitor.store.db import normalise_database_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    conninfo = normalise_database_url(url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(autouse=True)
def _no_env_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads ``.env`` of the working directory: a developer's own must not leak in."""
    monkeypatch.setenv("MONITOR_ENV_FILE", "")


@pytest.fixture
def flood_reports() -> dict[str, tuple[str, str]]:
    """(title, text) of a flood first reported as two stories, and of the article that shows
    they are one (it follows up both); the tracker and storage merge tests share them."""
    return {
        "flood": (
            "Elbe river floods Dresden",
            "The Elbe burst its banks in Dresden on Monday. Mayor Dirk Hilbert ordered the old "
            "town evacuated. Water reached 8.7 metres at the Augustus Bridge.",
        ),
        "rescue": (
            "Sandbags and volunteers",
            "Thousands of volunteers filled sandbags through the night as pumps failed in "
            "Pieschen. Firefighters rescued 40 residents by boat. Power was cut to 12,000 homes.",
        ),
        "bridge": (
            "Dresden flood: evacuation widens",
            "Volunteers filled sandbags through the night as pumps failed in Pieschen. "
            "The Elbe flood in Dresden forced Mayor Dirk Hilbert to widen the evacuation. "
            "Firefighters rescued 40 residents by boat and power was cut to 12,000 homes. "
            "Water reached 8.7 metres at the Augustus Bridge.",
        ),
    }


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test a compiled module older than its source (Python would import the compiled
    one and test the old code): ``make test`` compiles them again first."""
    stale = [
        str(source.relative_to(REPO_ROOT))
        for compiled in (REPO_ROOT / "monitor").rglob("*.so")
        if (source := compiled.with_name(compiled.name.split(".", 1)[0] + ".py")).exists()
        and source.stat().st_mtime > compiled.stat().st_mtime
    ]
    if stale:
        pytest.exit(
            f"compiled modules are older than their sources ({', '.join(sorted(stale))}): "
            "run `make test`, which compiles them again, or `pip install --no-deps -e .`",
            returncode=4,
        )
