"""A changed ``tracking.recheck`` re-plans the checks already planned (SQLite and PostgreSQL),
and a reload of the daemon's configuration does it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from monitor.config import RecheckConfig, TrackingConfig, load_config
from monitor.metrics import Metrics
from monitor.models import Article, Page, Validators
from monitor.observe import load_tracker, track_and_store
from monitor.service import Service
from monitor.store.articles import replan_rechecks
from monitor.store.repository import Store
from monitor.store.tables import ArticleRow
from monitor.track.recheck import RecheckPolicy, recheck_plan

START = datetime(2025, 10, 6, 8, tzinfo=UTC)
EVERY_10_MIN = RecheckConfig(min=600.0, max=600.0, stop_after=7200.0)
EVERY_MIN = RecheckConfig(min=60.0, max=60.0, stop_after=7200.0)
FOR_30_MIN = RecheckConfig(min=600.0, max=600.0, stop_after=1800.0)


def store_article(store: Store, url: str, at: datetime, steps: RecheckConfig) -> None:
    with store.session() as session:
        tracker = load_tracker(session, TrackingConfig())
    article = Article(url=url, canonical_url=url, title="Flood", paragraphs=("The Elbe rose.",))
    track_and_store(
        store,
        tracker,
        source="wire",
        requested_url=url,
        page=Page(url, url, 200, {}, b"", "", "utf-8", at, 0.0, False, Validators()),
        article=article,
        now=at,
        topics=[],
        disabled_webhooks=(),
        plan_recheck=recheck_plan(steps),
        metrics=Metrics(),
    )


def planned(store: Store) -> datetime | None:
    with store.session() as session:
        row = session.exec(select(ArticleRow)).one()
    moment = row.next_check_at
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def replan(store: Store, now: datetime, steps: RecheckConfig) -> int:
    with store.session() as session:
        horizon = RecheckPolicy.from_config(steps).horizon
        return replan_rechecks(session, now, recheck_plan(steps), horizon)


def test_a_changed_schedule_replans_pending_checks(store: Store) -> None:
    store_article(store, "https://a.example/1", START, EVERY_10_MIN)
    assert planned(store) == START + timedelta(minutes=10)
    assert replan(store, START + timedelta(minutes=2), EVERY_MIN) == 1
    assert planned(store) == START + timedelta(minutes=1)  # due at once
    assert replan(store, START + timedelta(minutes=2), EVERY_MIN) == 0  # nothing moved
    assert replan(store, START + timedelta(minutes=40), FOR_30_MIN) == 1
    assert planned(store) == START + timedelta(minutes=10)  # its last check was at START


def test_a_narrowed_window_stops_rechecks_and_a_widened_one_brings_them_back(
    store: Store,
) -> None:
    store_article(store, "https://a.example/1", START, EVERY_10_MIN)
    checked = START + timedelta(minutes=20)
    store_article(store, "https://a.example/1", checked, EVERY_10_MIN)  # unchanged
    narrow = RecheckConfig(min=60.0, max=60.0, stop_after=600.0)
    assert replan(store, checked + timedelta(minutes=1), narrow) == 1
    assert planned(store) is None  # 20 minutes old at its last check: past the 10 minutes
    assert replan(store, checked + timedelta(minutes=2), EVERY_MIN) == 1
    assert planned(store) == checked + timedelta(minutes=1)


CONFIG = """
storage:
  database_url: sqlite:///{db}
tracking:
  recheck:
    min: {every}
    max: {every}
"""


async def test_a_reload_with_a_new_schedule_replans(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(CONFIG.format(db=tmp_path / "monitor.db", every="10m"))
    service = Service(load_config(path), str(path))
    deps = await service.open()
    try:
        now = datetime.now(UTC)
        store_article(deps.store, "https://a.example/1", now, EVERY_10_MIN)
        assert planned(deps.store) == now + timedelta(minutes=10)
        path.write_text(CONFIG.format(db=tmp_path / "monitor.db", every="1m"))
        service.reload()
        assert planned(deps.store) == now + timedelta(minutes=1)
    finally:
        await service.close()
