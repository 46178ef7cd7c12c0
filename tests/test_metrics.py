"""/metrics and /healthz degrade instead of failing; what the service exports about itself."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from monitor import __version__
from monitor.metrics import Metrics, fetch_status_label
from monitor.models import Health, Page, Validators
from monitor.server import ServerDeps, build_app
from monitor.service import _alerts_by_status, _source_states
from monitor.store import Store
from monitor.store import sources as source_store

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    (tmp_path / "db").mkdir()
    store = Store.open(f"sqlite:///{tmp_path / 'db' / 'monitor.db'}")
    with store.session() as session:
        source_store.sync_sources(
            session,
            [
                source_store.SourceDefinition(
                    name="wire", url="https://a.example/rss", kind="feed"
                ),
                source_store.SourceDefinition(
                    name="dead", url="https://b.example/rss", kind="feed"
                ),
            ],
            NOW,
        )
        for name, health, failures, error in (
            ("wire", Health.OK, 0, None),
            ("dead", Health.FAILING, 4, "could not connect"),
        ):
            source_store.record_check(
                session,
                name,
                now=NOW,
                health=health,
                consecutive_failures=failures,
                next_check_at=NOW + timedelta(minutes=10),
                error=error,
            )
    return store


def _metrics(store: Store) -> Metrics:
    metrics = Metrics()
    metrics.watch_store(lambda: _source_states(store), lambda: _alerts_by_status(store))
    metrics.fetches.labels("200").inc()
    return metrics


async def _get(store: Store, metrics: Metrics, path: str) -> tuple[int, str]:
    app = build_app(ServerDeps(store, metrics, lambda: True))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.get(path)
        return response.status, await response.text()


async def test_metrics_export_process_build_and_per_source_gauges(store: Store) -> None:
    status, text = await _get(store, _metrics(store), "/metrics")
    assert status == 200
    assert "monitor_store_up 1.0" in text
    assert 'monitor_sources{health="failing"} 1.0' in text
    assert 'monitor_source_consecutive_failures{source="dead"} 4.0' in text
    assert 'monitor_source_consecutive_failures{source="wire"} 0.0' in text
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    last_success = "monitor_source_last_success_timestamp_seconds"
    assert samples[(last_success, (("source", "wire"),))] == NOW.timestamp()
    assert 'monitor_source_last_success_timestamp_seconds{source="dead"}' not in text  # never
    assert f'version="{__version__}"' in text
    assert "monitor_build_info{" in text
    for series in (
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "process_open_fds",
    ):
        assert series in text


async def test_metrics_answer_while_the_database_is_unreachable(
    store: Store, tmp_path: Path
) -> None:
    metrics = _metrics(store)
    shutil.rmtree(tmp_path / "db")  # the database is gone, and cannot be created again
    store.engine.dispose()
    status, text = await _get(store, metrics, "/metrics")
    assert status == 200
    assert "monitor_store_up 0.0" in text
    assert 'monitor_fetches_total{status="200"} 1.0' in text  # in-memory series survive
    assert "process_resident_memory_bytes" in text
    assert "monitor_sources{" not in text


async def test_healthz_degrades_when_the_database_was_recreated_empty(
    store: Store, tmp_path: Path
) -> None:
    metrics = _metrics(store)
    (tmp_path / "db" / "monitor.db").unlink()  # the next connection creates an empty file
    store.engine.dispose()
    status, text = await _get(store, metrics, "/healthz")
    assert status == 503
    assert '"status": "unavailable"' in text
    assert '"database": "unusable: ' in text
    status, text = await _get(store, metrics, "/metrics")
    assert status == 200
    assert "monitor_store_up 0.0" in text


def _page(status: int, *, not_modified: bool, conditional_hit: bool) -> Page:
    return Page(
        url="https://a.example/rss",
        final_url="https://a.example/rss",
        status=status,
        headers={},
        body=b"",
        text="",
        encoding=None,
        fetched_at=NOW,
        elapsed=0.1,
        not_modified=not_modified,
        validators=Validators(),
        conditional_hit=conditional_hit,
    )


def test_an_unchanged_body_has_its_own_fetch_label() -> None:
    assert fetch_status_label(_page(304, not_modified=True, conditional_hit=True)) == "304"
    assert fetch_status_label(_page(200, not_modified=True, conditional_hit=False)) == "unchanged"
    assert fetch_status_label(_page(200, not_modified=False, conditional_hit=False)) == "200"
